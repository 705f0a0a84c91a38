# Regenerates the hex in PyamqpFixtureTests.swift (azure-servicebus 7.15.0): python3 pyamqp_fixtures.py
import uuid
from azure.servicebus._pyamqp._encode import encode_payload
from azure.servicebus._pyamqp.message import Message, Properties
from azure.servicebus._pyamqp.utils import amqp_long_value, amqp_array_value, amqp_uint_value, amqp_string_value
from azure.servicebus._transport._pyamqp_transport import PyamqpTransport as T

def enc(m):
    out = bytearray(); encode_payload(out, m); return out.hex()

# renew-lock, as ServiceBusReceiver._renew_locks builds it (+ management_link adds operation/type)
tok = uuid.UUID("00112233-4455-6677-8899-aabbccddeeff")
body = {"lock-tokens": T.AMQP_ARRAY_VALUE([tok])}
m = T.create_mgmt_msg(body, {}, None, "mgmt-reply", message_id=uuid.UUID("11111111-2222-3333-4444-555555555555"))
m.application_properties["operation"] = amqp_string_value("com.microsoft:renew-lock")
m.application_properties["type"] = amqp_string_value("entity-mgmt")
m.application_properties["com.microsoft:server-timeout"] = amqp_uint_value(59000)
print("renew", enc(m))
# receive-by-sequence-number
body = {"sequence-numbers": T.AMQP_ARRAY_VALUE([T.AMQP_LONG_VALUE(s) for s in [5, 6]]),
        "receiver-settle-mode": T.AMQP_UINT_VALUE(1)}
m = T.create_mgmt_msg(body, {}, None, "mgmt-reply", message_id=uuid.UUID("11111111-2222-3333-4444-555555555555"))
m.application_properties["operation"] = amqp_string_value("com.microsoft:receive-by-sequence-number")
print("rbsn", enc(m))
# CBS put-token as cbs.py builds it
m = Message(value="SharedAccessSignature sr=a&sig=b&se=1767225600&skn=k",
            properties=Properties(message_id=uuid.UUID("11111111-2222-3333-4444-555555555555")),
            application_properties={"name": "sb://ns/q", "operation": "put-token",
                                    "type": "servicebus.windows.net:sastoken", "expiration": 1767225600})
print("cbs", enc(m))
