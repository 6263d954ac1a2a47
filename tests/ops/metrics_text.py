"""Reads a Prometheus text exposition into {(sample name, sorted labels): value}."""
from prometheus_client.parser import text_string_to_metric_families


def samples(text: str) -> dict:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(text: str, name: str, **labels) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)
