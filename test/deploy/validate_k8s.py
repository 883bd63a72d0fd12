"""Validate Kubernetes objects offline against the schemas bundled by
kubernetes-validate (strict: unknown fields are errors).

stdin: JSON {"versions": [...], "objects": [{"file": ..., "object": {...}}]}
stdout: JSON list of {"file", "kind", "name", "version", "error"}; error is
null when the object is valid.
"""

import json
import sys

import kubernetes_validate


def main() -> None:
    request = json.load(sys.stdin)
    results = []
    for version in request["versions"]:
        for item in request["objects"]:
            obj = item["object"]
            error = None
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as caught:
                error = f"{'.'.join(str(p) for p in caught.path)}: {caught.message}"
            except Exception as caught:  # no schema for the kind, bad version...
                error = f"{type(caught).__name__}: {caught}"
            results.append(
                {
                    "file": item["file"],
                    "kind": obj.get("kind"),
                    "name": (obj.get("metadata") or {}).get("name"),
                    "version": version,
                    "error": error,
                }
            )
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
