import json
from typing import Any

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.objectstore import s3_client
from apps.files.services import lifecycle_rules

MAX_RULES = 1000  # S3's limit per bucket


class Command(BaseCommand):
    help = (
        "Apply the upload lifecycle (abandoned multipart uploads aborted and quarantined "
        "objects removed after a day, per company) as the bucket's lifecycle configuration, "
        "where the store supports it. The beat sweep (apps.files.tasks.files_sweep_task) "
        "does the same work either way."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the configuration; do not send it."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rules = lifecycle_rules()
        bucket = settings.AWS_STORAGE_BUCKET_NAME
        self.stdout.write(json.dumps({"Rules": rules}, indent=2))
        if not rules:
            self.stdout.write("No companies yet: nothing to apply.")
            return
        if len(rules) > MAX_RULES:
            raise CommandError(
                f"{len(rules)} rules: a bucket takes {MAX_RULES}. The beat sweep covers every "
                "company; give large deployments a lifecycle rule per prefix group instead."
            )
        if options["dry_run"]:
            return
        try:
            s3_client().put_bucket_lifecycle_configuration(
                Bucket=bucket, LifecycleConfiguration={"Rules": rules}
            )
        except ClientError as exc:
            error = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            answer = f"{status} {error.get('Code')}: {error.get('Message')}"
            if error.get("Code") != "NotImplemented":
                raise CommandError(f"The store refused the configuration: {answer}") from exc
            self.stdout.write(
                self.style.WARNING(
                    f"The store has no lifecycle rules (it answered {answer}); S3Proxy, the "
                    "store of development and tests, is such a store. Nothing was applied: "
                    "the beat sweep (apps.files.tasks.files_sweep_task, every "
                    f"{settings.FILES_SWEEP_SECONDS:g} s) aborts abandoned uploads and empties "
                    "the quarantine instead."
                )
            )
            return
        self.stdout.write(self.style.SUCCESS(f"Applied {len(rules)} rules to bucket {bucket}."))
