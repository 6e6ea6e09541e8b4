import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { TracingConfig } from '../config/schema.js';
import { packageVersion } from '../util/package-info.js';

/** A span as the engine sees it: attributes, an error status, an end. No OpenTelemetry type leaks out. */
export interface TraceSpan {
  set(attributes: Attributes): void;
  fail(message: string): void;
  end(): void;
  /** A span under this one (a Polaris request of the operation). */
  child(name: string, attributes: Attributes): TraceSpan;
}

/**
 * Optional OpenTelemetry traces (config `tracing`, off when absent): one span per table operation,
 * its Polaris requests as child spans, exported in batches over OTLP/HTTP. Spans are parented
 * explicitly, so the connector needs no global context manager and leaves the process's own
 * OpenTelemetry set-up (if any) alone.
 */
export class Tracing {
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;

  constructor(config: TracingConfig, exporter?: SpanExporter) {
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': config.serviceName, 'service.version': packageVersion() }),
      spanProcessors: [
        new BatchSpanProcessor({
          exporter: exporter ?? new OTLPTraceExporter({ url: config.endpoint, headers: config.headers, timeoutMillis: 10_000 }),
          // Bounded: a collector that is away costs dropped spans, never memory without end.
          maxQueueSize: 2048,
          maxExportBatchSize: 512,
          scheduledDelayMillis: 2000,
        }),
      ],
    });
    this.tracer = this.provider.getTracer('polaris-mirror', packageVersion());
  }

  /** The span of one table operation (a root span: each operation is a trace of its own). */
  operation(name: string, attributes: Attributes): TraceSpan {
    return wrap(this.tracer, this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, ROOT_CONTEXT));
  }

  /** Sends the spans still queued and stops (end of a command, or of the daemon). */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}

function wrap(tracer: Tracer, span: Span): TraceSpan {
  return {
    set: (attributes) => void span.setAttributes(attributes),
    fail: (message) => void span.setStatus({ code: SpanStatusCode.ERROR, message }),
    end: () => span.end(),
    child: (name, attributes) => wrap(tracer, tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, trace.setSpan(ROOT_CONTEXT, span))),
  };
}
