#!/usr/bin/env python3
"""Print how many messages a queue in the local emulator holds (visible + in flight + delayed)."""
import os
import sys

import boto3

sqs = boto3.client("sqs", endpoint_url=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"),
                   region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local")
url = sqs.get_queue_url(QueueName=sys.argv[1])["QueueUrl"]
attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
print(sum(int(attrs.get(k, 0)) for k in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed")))
