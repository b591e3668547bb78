"""moto_server with DynamoDB requests made atomic.

Real DynamoDB checks a ConditionExpression and applies the write as one atomic step;
moto serves requests on many threads and checks then writes without a lock, so two
conditional updates racing on one item can both succeed (measured: 1 round in 150 with
8 racing writers). The pipeline's exactly-once claims rely on that atomicity, so the
local stack serialises DynamoDB calls. Other services (SQS long polls) stay concurrent.

Usage: python3 scripts/emulator.py -H 127.0.0.1 -p 4566 (the same flags as moto_server).
"""

import threading

from moto.dynamodb.responses import DynamoHandler
from moto.server import main

_lock = threading.Lock()
_call_action = DynamoHandler.call_action


def _atomic_call_action(self):
    with _lock:
        return _call_action(self)


DynamoHandler.call_action = _atomic_call_action

if __name__ == "__main__":
    main()
