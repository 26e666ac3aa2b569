-- The merge joins millions of staged rows with the targets: with the default 4MB work_mem the
-- hash joins spill in dozens of batches. LOCAL: the setting ends with the transaction.
SET LOCAL work_mem = '256MB';
-- No JIT: the merge's statements are large but run once, and compiling them cost more than it saved
-- (0.9 s of JIT for the sessions rebuild at 1M events, which then ran no faster).
SET LOCAL jit = off;
