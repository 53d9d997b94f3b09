"""Generated protobuf classes of the wegwijzer.v1 schema (proto/wegwijzer/v1/*.proto).

The build runs ``protoc --python_out`` into this subpackage, so that the schema's
own imports (``import "wegwijzer/v1/codes.proto"``) resolve as
``from wegwijzer.v1 import codes_pb2``. Import them through ``wegwijzer.proto``.
"""
