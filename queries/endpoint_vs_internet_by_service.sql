-- flowpath saved query: endpoint_vs_internet_by_service
--
-- Answers: for each AWS service your interfaces exchange bytes with, how many went
-- through a VPC endpoint and how many over the internet (internet gateway, NAT
-- gateway, public addresses). Internet bytes to S3 or DynamoDB in the VPC's own
-- region are what a gateway endpoint would take over; for other services, an
-- interface endpoint.
--
-- Parameters (execution parameters, in this order):
--   1. account_id, e.g. '123456789012' (the table injects account_id: it must be given)
--   2. first day, 'YYYY-MM-DD'
--   3. last day, 'YYYY-MM-DD' (inclusive)
--
-- Columns:
--   endpoint_bytes     path gateway_endpoint or interface_endpoint, except rows logged
--                      on the endpoint's own network interface (interface_kind
--                      vpc_endpoint), which repeat their clients' bytes
--   internet_bytes     path internet_gateway, nat_gateway, public or
--                      internet_gateway_or_gateway_endpoint
--   nat_gateway_bytes  the part of internet_bytes a NAT gateway processed (path
--                      nat_gateway, logged on the NAT gateway's interface; the
--                      senders' via_nat_gateway rows are the same bytes and are not
--                      counted again)
--   undecided_bytes    the part of internet_bytes with AWS's traffic-path 2, which
--                      does not tell an internet gateway from a gateway endpoint
-- Both directions are counted; rejected traffic too.
SELECT
  remote_service,
  SUM(CASE
        WHEN path IN ('gateway_endpoint', 'interface_endpoint')
         AND COALESCE(interface_kind, '') <> 'vpc_endpoint' THEN bytes
        ELSE 0
      END) AS endpoint_bytes,
  SUM(CASE
        WHEN path IN ('internet_gateway', 'nat_gateway', 'public',
                      'internet_gateway_or_gateway_endpoint') THEN bytes
        ELSE 0
      END) AS internet_bytes,
  SUM(CASE WHEN path = 'nat_gateway' THEN bytes ELSE 0 END) AS nat_gateway_bytes,
  SUM(CASE WHEN path = 'internet_gateway_or_gateway_endpoint' THEN bytes ELSE 0 END)
    AS undecided_bytes
FROM summaries
WHERE account_id = ?
  AND day BETWEEN ? AND ?
  AND remote_service IS NOT NULL
  AND remote_service NOT IN ('INTERNET', 'PRIVATE')
  AND path IN ('gateway_endpoint', 'interface_endpoint', 'internet_gateway', 'nat_gateway',
               'public', 'internet_gateway_or_gateway_endpoint')
GROUP BY remote_service
ORDER BY internet_bytes DESC, remote_service
