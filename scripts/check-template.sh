#!/usr/bin/env bash
# Checks deploy/template.yaml offline, one step deeper than the test suite.
#
# 1. cfn-lint on the SAM template (functions/tests/template.rs does this too, and
#    asserts the wiring cfn-lint does not check inside SAM functions).
# 2. When aws-sam-translator is importable by PYTHON: the real SAM transform (CodeUri
#    replaced by a placeholder s3:// URI, as `sam deploy` does after uploading; bucket
#    names by test values), then cfn-lint on the plain CloudFormation it produces. That
#    also checks references inside the functions' Environment and Events, and the
#    generated roles, event source mapping, SNS subscription and permission.
#
# Usage: scripts/check-template.sh [PYTHON]      (default: .venv/bin/python)
# For step 2, a separate venv keeps the test venv small:
#   python3 -m venv /tmp/samvenv
#   /tmp/samvenv/bin/pip install aws-sam-translator 'cfn-lint==1.58.*'
#   scripts/check-template.sh /tmp/samvenv/bin/python
set -euo pipefail
cd "$(dirname "$0")/.."

python=${1:-.venv/bin/python}
template=deploy/template.yaml

echo "cfn-lint $template" >&2
"$python" -c 'import sys; from cfnlint.runner import main; sys.exit(main())' "$template"

if ! "$python" -c 'import samtranslator' 2>/dev/null; then
  echo "check-template.sh: aws-sam-translator not installed for $python: SAM transform skipped" >&2
  exit 0
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "SAM transform, then cfn-lint on the result ($out/transformed.json)" >&2
AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-eu-west-1} "$python" - "$template" "$out/transformed.json" <<'EOF'
import json, sys
from cfnlint.decode import decode
from samtranslator.translator.transform import transform

template, matches = decode(sys.argv[1])
if matches:
    sys.exit("\n".join(str(m) for m in matches))
for resource in template["Resources"].values():
    if resource["Type"] == "AWS::Serverless::Function":
        resource["Properties"]["CodeUri"] = "s3://placeholder-artifacts/code.zip"

class NoManagedPolicies:
    """The template names no managed policies by name, so nothing to look up in IAM."""
    def load(self):
        return {}

parameters = {"LogBucketName": "example-flow-logs", "OutputBucketName": "example-summaries"}
result = transform(json.loads(json.dumps(template)), parameters, NoManagedPolicies())
with open(sys.argv[2], "w") as f:
    json.dump(result, f, indent=1)
print(f"{len(result['Resources'])} resources after the transform", file=sys.stderr)
EOF
"$python" -c 'import sys; from cfnlint.runner import main; sys.exit(main())' "$out/transformed.json"
echo "template OK" >&2
