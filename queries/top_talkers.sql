-- flowpath saved query: top_talkers
--
-- Answers: which network interfaces (with their subnet and VPC) send and receive the
-- most bytes to AWS services over a NAT gateway or the internet: the first candidates
-- for a VPC endpoint, or for a closer look.
--
-- Parameters (execution parameters, in this order):
--   1. account_id, e.g. '123456789012' (the table injects account_id: it must be given)
--   2. first day, 'YYYY-MM-DD'
--   3. last day, 'YYYY-MM-DD' (inclusive)
--
-- Counting: rows on the talkers' own interfaces. Over a NAT gateway that is path
-- via_nat_gateway (the same bytes appear again on the NAT gateway's interface as
-- path nat_gateway: those rows are left out, or the NAT gateway would be a talker and
-- the bytes counted twice). Over the internet: internet_gateway, public and
-- internet_gateway_or_gateway_endpoint. AWS services: remote_service other than
-- INTERNET and PRIVATE. The 20 largest; both directions.
SELECT
  vpc_id,
  subnet_id,
  interface_id,
  SUM(CASE WHEN path = 'via_nat_gateway' THEN bytes ELSE 0 END) AS via_nat_gateway_bytes,
  SUM(CASE WHEN path <> 'via_nat_gateway' THEN bytes ELSE 0 END) AS internet_bytes,
  SUM(bytes) AS total_bytes
FROM summaries
WHERE account_id = ?
  AND day BETWEEN ? AND ?
  AND remote_service IS NOT NULL
  AND remote_service NOT IN ('INTERNET', 'PRIVATE')
  AND path IN ('via_nat_gateway', 'internet_gateway', 'public',
               'internet_gateway_or_gateway_endpoint')
  AND COALESCE(interface_kind, '') <> 'nat_gateway'
GROUP BY vpc_id, subnet_id, interface_id
ORDER BY total_bytes DESC, interface_id
LIMIT 20
