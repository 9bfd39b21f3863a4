-- flowpath saved query: nat_to_s3_dynamodb_by_vpc
--
-- Answers: how many bytes each NAT gateway processed to and from S3 and DynamoDB, by
-- VPC. Bytes to the VPC's own region (same_region = 1) are what a gateway endpoint
-- for that service would remove from the NAT gateway (gateway endpoints are free and
-- serve their own region only); the rest still needs the NAT gateway or an interface
-- endpoint.
--
-- Parameters (execution parameters, in this order):
--   1. account_id, e.g. '123456789012' (the table injects account_id: it must be given)
--   2. first day, 'YYYY-MM-DD'
--   3. last day, 'YYYY-MM-DD' (inclusive)
--
-- Counting: NAT-processed bytes are the rows with path nat_gateway, logged on the NAT
-- gateway's own network interface (gateway_id is the nat-...). The senders'
-- via_nat_gateway rows are the same bytes seen from the instances and are not added.
-- NAT gateways whose interface has no flow log do not appear: log the whole VPC.
-- vpc_id comes from the record's vpc-id field, else from the VPC inventory; it is
-- null only when both lack it (the default v2 format summarized without inventory).
SELECT
  region,
  vpc_id,
  gateway_id AS nat_gateway_id,
  remote_service,
  remote_region,
  CASE WHEN remote_region = region THEN 1 ELSE 0 END AS same_region,
  SUM(CASE WHEN direction = 'egress' THEN bytes ELSE 0 END) AS bytes_out,
  SUM(CASE WHEN direction = 'ingress' THEN bytes ELSE 0 END) AS bytes_in,
  SUM(bytes) AS nat_processed_bytes
FROM summaries
WHERE account_id = ?
  AND day BETWEEN ? AND ?
  AND path = 'nat_gateway'
  AND remote_service IN ('S3', 'DYNAMODB')
GROUP BY region, vpc_id, gateway_id, remote_service, remote_region
ORDER BY nat_processed_bytes DESC, region, vpc_id, nat_gateway_id, remote_service, remote_region
