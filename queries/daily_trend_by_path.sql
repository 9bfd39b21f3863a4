-- flowpath saved query: daily_trend_by_path
--
-- Answers: per day, how many bytes were exchanged with AWS services on each path
-- (gateway_endpoint, interface_endpoint, nat_gateway, internet_gateway, public, ...):
-- whether traffic moves to endpoints after a change, or grows on the NAT gateway.
--
-- Parameters (execution parameters, in this order):
--   1. account_id, e.g. '123456789012' (the table injects account_id: it must be given)
--   2. first day, 'YYYY-MM-DD'
--   3. last day, 'YYYY-MM-DD' (inclusive)
--
-- Counting: each byte once. Rows with path via_nat_gateway are left out (the NAT
-- gateway's own rows, path nat_gateway, carry the same bytes), and so are endpoint
-- rows logged on the endpoint's own interface (interface_kind vpc_endpoint), which
-- repeat their clients' bytes. AWS services: remote_service other than INTERNET and
-- PRIVATE. day is the UTC day of the hour windows (the partition).
SELECT
  day,
  path,
  SUM(bytes) AS bytes
FROM summaries
WHERE account_id = ?
  AND day BETWEEN ? AND ?
  AND remote_service IS NOT NULL
  AND remote_service NOT IN ('INTERNET', 'PRIVATE')
  AND path <> 'via_nat_gateway'
  AND NOT (path IN ('gateway_endpoint', 'interface_endpoint')
           AND COALESCE(interface_kind, '') = 'vpc_endpoint')
GROUP BY day, path
ORDER BY day, path
