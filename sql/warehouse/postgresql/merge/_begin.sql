-- The merge joins millions of staged rows with the targets: with the default 4MB work_mem the
-- hash joins spill in dozens of batches. LOCAL: the setting ends with the transaction.
SET LOCAL work_mem = '256MB';
