"""Drives a dynamodbfake endpoint with boto3 (argv[1] is its URL).

Exits 0 when every check passes; prints what failed otherwise. botocore
verifies the x-amz-crc32 header of every answer.
"""
import sys
from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.config import Config
from botocore.exceptions import ClientError

url = sys.argv[1]
cfg = Config(retries={"max_attempts": 1, "mode": "standard"})
kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
          aws_secret_access_key="test", config=cfg)
ddb = boto3.resource("dynamodb", **kw)
client = boto3.client("dynamodb", **kw)

table = ddb.create_table(
    TableName="py-table",
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                          {"AttributeName": "sk", "AttributeType": "N"}],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
               {"AttributeName": "sk", "KeyType": "RANGE"}],
    BillingMode="PAY_PER_REQUEST")
table.wait_until_exists()

with table.batch_writer() as batch:
    for i in range(60):
        batch.put_item(Item={"pk": "p%d" % (i % 3), "sk": i, "n": Decimal(i) * Decimal("1.5"), "tags": {"a", "b"}})

got = table.get_item(Key={"pk": "p0", "sk": 3})["Item"]
assert got["n"] == Decimal("4.5"), got
assert got["tags"] == {"a", "b"}, got

resp = table.query(KeyConditionExpression=Key("pk").eq("p1") & Key("sk").between(10, 20))
assert [int(i["sk"]) for i in resp["Items"]] == [10, 13, 16, 19], resp["Items"]

items, start = [], None
while True:
    kwargs = {"Limit": 7, "FilterExpression": Attr("sk").lt(30)}
    if start:
        kwargs["ExclusiveStartKey"] = start
    page = table.scan(**kwargs)
    items += page["Items"]
    start = page.get("LastEvaluatedKey")
    if not start:
        break
assert len(items) == 30, len(items)

table.update_item(Key={"pk": "p0", "sk": 0}, UpdateExpression="ADD hits :one",
                  ExpressionAttributeValues={":one": 1})
try:
    table.put_item(Item={"pk": "p0", "sk": 0}, ConditionExpression="attribute_not_exists(pk)")
    raise AssertionError("conditional put succeeded")
except ClientError as e:
    assert e.response["Error"]["Code"] == "ConditionalCheckFailedException", e.response
    assert e.response["Error"]["Message"] == "The conditional request failed", e.response

try:
    client.transact_write_items(TransactItems=[
        {"Put": {"TableName": "py-table", "Item": {"pk": {"S": "x"}, "sk": {"N": "1"}}}},
        {"ConditionCheck": {"TableName": "py-table", "Key": {"pk": {"S": "p0"}, "sk": {"N": "0"}},
                            "ConditionExpression": "attribute_not_exists(hits)"}}])
    raise AssertionError("transaction succeeded")
except ClientError as e:
    assert e.response["Error"]["Code"] == "TransactionCanceledException", e.response
    codes = [r["Code"] for r in e.response["CancellationReasons"]]
    assert codes == ["None", "ConditionalCheckFailed"], codes

try:
    client.describe_table(TableName="missing")
    raise AssertionError("described a missing table")
except client.exceptions.ResourceNotFoundException as e:
    assert "missing" in e.response["Error"]["Message"], e.response

print("ok")
