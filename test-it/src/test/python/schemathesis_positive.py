"""Sends schema-valid requests, drawn by Schemathesis from an OpenAPI document, and writes each answer.

Usage: schemathesis_positive.py DOCUMENT BASE_URL EXAMPLES OUT

DOCUMENT is an OpenAPI 3.0 document (JSON), BASE_URL what its paths are relative to
(http://host:port/v1 for the server's document, .../v1/<mount> for the plugin's own), EXAMPLES
the number of requests drawn per operation. The token comes from VAULT_TOKEN (never from the
command line). OUT receives a JSON list: one {"operation", "path", "status", "error"} per request, error
being the first message of a refusal (cut to 300 characters).

Schemathesis is used as a library, not through its CLI, so that every answer is counted (its CLI
reports failures, not the accepted requests a rate needs). Generation is positive only and
derandomized: the same document gives the same requests.
"""

import json
import os
import sys

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode


def work_around_generator_limits(node):
    """Schemathesis 4.32.5 refuses to draw array items that have both a length (minLength,
    maxLength) and a pattern with a '}' in it ("Invalid `items` definition"), as the role's
    services globs do ({{alias.name}}). Such items lose their lengths here, for drawing only: the
    server still checks them, and values that long are rarely drawn."""
    if isinstance(node, dict):
        items = node.get("items")
        if isinstance(items, dict) and "}" in items.get("pattern", ""):
            node["items"] = {k: v for k, v in items.items() if k not in ("minLength", "maxLength")}
        for value in node.values():
            work_around_generator_limits(value)
    elif isinstance(node, list):
        for value in node:
            work_around_generator_limits(value)


def first_error(response):
    try:
        errors = response.json().get("errors") or []
        return str(errors[0])[:300] if errors else ""
    except Exception:  # not JSON: the text itself
        return response.text[:300]


def main():
    document_file, base_url, examples, out_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    token = os.environ["VAULT_TOKEN"]
    with open(document_file, encoding="utf-8") as f:
        document = json.load(f)
    work_around_generator_limits(document)
    schema = schemathesis.openapi.from_dict(document)
    answers = []
    for result in schema.get_all_operations():
        operation = result.ok()
        name = operation.method.upper() + " " + operation.path

        @given(operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
        @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def send(case):
            response = case.call(base_url=base_url, headers={"X-Vault-Token": token}, timeout=30)
            answers.append({"operation": name, "path": case.formatted_path, "status": response.status_code,
                            "error": first_error(response) if response.status_code >= 300 else ""})

        send()
    with open(out_file, "w", encoding="utf-8") as f:
        json.dump(answers, f)


if __name__ == "__main__":
    main()
