"""The Python 3.11 + boto3 counterpart of two of our functions, for the cold-start
comparison in `make bench`: the same table and queue calls as the Rust `status` and `stop`
handlers, clients created at import time as AWS recommends. Run by awslambdaric against the
same local Runtime API stub as the Rust binaries."""
import hashlib
import json
import os
import time

import boto3

TABLE = os.environ["TABLE_NAME"]
QUEUE_URL = os.environ["PIPELINE_QUEUE_URL"]
dynamodb = boto3.client("dynamodb")
sqs = boto3.client("sqs")


def _respond(status, body):
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


def _account(event):
    auth = (event.get("headers") or {}).get("authorization", "")
    if not auth.startswith("Bearer "):
        return None
    digest = hashlib.sha256(auth[7:].encode()).hexdigest()
    item = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": f"APIKEY#{digest}"}, "sk": {"S": "APIKEY"}},
                             ConsistentRead=True).get("Item")
    return item["account_id"]["S"] if item else None


def status(event, context):
    account = _account(event)
    if account is None:
        return _respond(401, {"error": "authentication_error"})
    bot_id = event["pathParameters"]["bot_id"]
    items = dynamodb.query(TableName=TABLE, KeyConditionExpression="pk = :pk",
                           ExpressionAttributeValues={":pk": {"S": f"BOT#{bot_id}"}}, ConsistentRead=True)["Items"]
    session = next((i for i in items if i["sk"]["S"] == "SESSION"), None)
    if session is None or session["account_id"]["S"] != account:
        return _respond(404, {"error": "not_found"})
    phase = session["phase"]["S"]
    state = {"completed": "completed", "failed": "failed"}.get(phase, "running")
    return _respond(200, {"status": state, "bot_id": bot_id, "room_url": session["room_url"]["S"], "phase": phase})


def stop(event, context):
    account = _account(event)
    if account is None:
        return _respond(401, {"error": "authentication_error"})
    bot_id = event["pathParameters"]["bot_id"]
    key = {"pk": {"S": f"BOT#{bot_id}"}, "sk": {"S": "SESSION"}}
    session = dynamodb.get_item(TableName=TABLE, Key=key, ConsistentRead=True).get("Item")
    if session is None or session["account_id"]["S"] != account:
        return _respond(404, {"error": "not_found"})
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    try:
        dynamodb.update_item(
            TableName=TABLE, Key=key,
            UpdateExpression="SET #p = :leaving, leave_requested_at = :at, leave_enqueued = :f",
            ConditionExpression="#p IN (:joining, :in_call)",
            ExpressionAttributeNames={"#p": "phase"},
            ExpressionAttributeValues={":leaving": {"S": "leaving"}, ":at": {"S": now}, ":f": {"BOOL": False},
                                       ":joining": {"S": "joining"}, ":in_call": {"S": "in_call"}})
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return _respond(200, {"status": "leave_requested", "bot_id": bot_id})
    sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps({"type": "leave_requested", "version": 1, "bot_id": bot_id}))
    dynamodb.update_item(TableName=TABLE, Key=key, UpdateExpression="SET leave_enqueued = :t",
                         ExpressionAttributeValues={":t": {"BOOL": True}})
    return _respond(200, {"status": "leave_requested", "bot_id": bot_id,
                          "message": "Bot stop request sent. Bot will exit within 5 seconds."})
