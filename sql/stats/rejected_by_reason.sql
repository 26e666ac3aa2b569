-- Run statistics: rejected records per reason code.
SELECT reason, COUNT(*) AS records
FROM rejected_records
GROUP BY reason
ORDER BY reason
