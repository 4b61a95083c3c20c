"""Sends record pushes whose RecordURL points at BASE_URL/<file>, one per file name: URL AUTH BASE_URL SESSION_PREFIX FILE..."""
import json
import sys
import time
import urllib.request
import uuid

url, authorization, base, prefix, *files = sys.argv[1:]
for i, name in enumerate(files):
    body = json.dumps({
        "SdkAppId": 1400123456,
        "RecordId": str(1700000000 + i),
        "SessionId": f"{prefix}-{i}",
        "Timestamp": int(time.time()),
        "EndpointUser": "agent@example.com",
        "RecordURL": f"{base}/{name}",
    }).encode()
    request = urllib.request.Request(url + "?action=record&version=1", data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf8",
        "X-TCCC-PUSH-UUID": str(uuid.uuid4()),
        **({"Authorization": authorization} if authorization else {}),
    })
    with urllib.request.urlopen(request) as response:
        answer = json.load(response)
        if answer.get("ErrCode") != 0:
            sys.exit(f"push {i} answered {answer}")
