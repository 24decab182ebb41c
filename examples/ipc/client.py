"""my-service from Python: the socket comes from TROUPE_IPC_SOCKET (or the app name)."""
from troupe_ipc import Client, UnknownMessageTypeError

with Client.connect(app="my-app") as client:
    client.request("my-service", "SetValue", {"key": "py", "value": 7})
    print("GetValue(answer) =", client.request("my-service", "GetValue", {"key": "answer"}))
    print("GetValue(py) =", client.request("my-service", "GetValue", {"key": "py"}))

    pushes = client.pushes()
    client.subscribe(["ValueChanged"])
    client.request("my-service", "SetValue", {"key": "py", "value": 8})
    change = pushes.get(timeout=5)
    print("pushed:", change.message_type, change.payload)

    try:
        client.request("my-service", "Shout", {})
    except UnknownMessageTypeError as err:
        print("Shout ->", err.code)
