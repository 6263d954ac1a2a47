"""Goal 6, what tracing and metrics cost: the split again with tracing on (every span, and one trace in ten)
and with metrics off, beside the split as it ships (metrics on, tracing off), in the same rounds as every
other throughput target.

Tracing exports the sampled spans over OTLP/HTTP to tools/otlp_sink.py started in the bench process. The sink
counts what it receives and discards it, as a collector on another machine would cost these two cores
nothing; its CPU is reported on its own ("OTLP sink"), outside both topologies."""
from tools.otlp_sink import OtlpSink

TRACING_VARIANT, SAMPLED_VARIANT, NO_METRICS_VARIANT = "split+tracing", "split+tracing10", "split+nometrics"
TRACING_TARGET = "split via gateway, tracing on, every span (OTLP to a local sink)"
SAMPLED_TARGET = "split via gateway, tracing on, one trace in ten"
NO_METRICS_TARGET = "split via gateway, metrics off"
ONE_IN_TEN = {"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1"}  # docs/observability.md
SINK_GROUP = "OTLP sink"


def variant_env(sink: OtlpSink) -> dict[str, dict[str, str]]:
    """Each extra split variant's environment, on top of the shipped defaults."""
    otlp = {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": sink.endpoint}
    return {TRACING_VARIANT: otlp, SAMPLED_VARIANT: otlp | ONE_IN_TEN, NO_METRICS_VARIANT: {"SHOP_METRICS": "0"}}


def targets(stacks: dict, product_ids: dict[str, int]) -> dict[str, str]:
    return {target: f"{stacks[variant].url}/products/{product_ids[variant]}"
            for variant, target in ((TRACING_VARIANT, TRACING_TARGET), (SAMPLED_VARIANT, SAMPLED_TARGET),
                                    (NO_METRICS_VARIANT, NO_METRICS_TARGET))
            if variant in stacks}
