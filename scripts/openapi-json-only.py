"""Writes the copy of an OpenAPI document that the Python client is generated from, working around
two limits of openapi-python-client 0.29.1:

- an operation with two request content types gets code that does not import (`Unset` is
  undefined; openapi-generators/openapi-python-client#1451): request bodies keep only
  application/json, which is what Python callers send;
- a union member with `not` cannot be parsed and the whole operation is dropped: `/sign-in`'s
  username alternative loses its "and no `email`" constraint, which only narrows what the server
  accepts anyway."""

import json
import sys

source, target = sys.argv[1], sys.argv[2]
with open(source, encoding="utf-8") as handle:
    document = json.load(handle)
for item in document.get("paths", {}).values():
    for operation in item.values():
        content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
        if "application/json" in content:
            for media_type in list(content):
                if media_type != "application/json":
                    del content[media_type]

def drop_not(schema):
    """`{"allOf": [X, {"not": ...}]}` becomes X, anywhere in the schema."""
    if isinstance(schema, dict):
        all_of = schema.get("allOf")
        if isinstance(all_of, list):
            kept = [part for part in all_of if not (isinstance(part, dict) and set(part) == {"not"})]
            if len(kept) == 1 and len(schema) == 1:
                return drop_not(kept[0])
            schema["allOf"] = kept
        return {key: drop_not(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [drop_not(item) for item in schema]
    return schema


document = drop_not(document)
with open(target, "w", encoding="utf-8") as handle:
    json.dump(document, handle, indent=2)
    handle.write("\n")
