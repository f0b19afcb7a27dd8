"""Drives the STS emulator with boto3: AssumeRole, GetCallerIdentity with the
role's credentials, and an error. Prints "ok" or raises."""
import sys

import boto3
import botocore.exceptions

url = sys.argv[1]
kw = dict(endpoint_url=url, region_name="us-east-1")
sts = boto3.client("sts", aws_access_key_id="test", aws_secret_access_key="test", **kw)
out = sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/boto3-role", RoleSessionName="boto3", DurationSeconds=900)
creds = out["Credentials"]
assert creds["AccessKeyId"].startswith("ASIA"), creds
assert out["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111122223333:assumed-role/boto3-role/boto3", out
role = boto3.client("sts", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds["SessionToken"], **kw)
who = role.get_caller_identity()
assert who["Arn"] == out["AssumedRoleUser"]["Arn"], who
assert who["Account"] == "111122223333", who
try:
    sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/boto3-role", RoleSessionName="boto3", DurationSeconds=7200)
    raise AssertionError("a duration past MaxSessionDuration was accepted")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "ValidationError", e.response
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400, e.response
print("ok")
