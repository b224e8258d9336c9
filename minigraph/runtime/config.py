"""Session and run configuration messages: ConfigProto, GPUOptions, RunOptions, RunMetadata.

TF1 programs build these protocol buffers to tune devices and threads. minigraph runs on numpy
in one thread with no devices, so they are accepted and ignored (except the JIT level, which
switches fusion off): the classes here check field names (a misspelled field is an error, as
with a real protocol buffer) and hold values.
Deliberately not here: serialization to the protobuf wire format.
"""

from __future__ import annotations

import copy

__all__ = ["ConfigProto", "GPUOptions", "GraphOptions", "OptimizerOptions", "RunOptions",
           "RunMetadata"]


class Message:
    """A protocol-buffer-like record: a fixed set of fields, each with a default value.

    Subclasses list `FIELDS` (name -> default). Defaults that are messages, lists or dicts are
    copied per instance, so `config.gpu_options.allow_growth = True` changes only `config`.
    """

    FIELDS: dict = {}

    def __init__(self, **fields):
        for name, default in self.FIELDS.items():
            object.__setattr__(self, name, copy.deepcopy(default))
        for name, value in fields.items():
            setattr(self, name, value)

    def __setattr__(self, name: str, value) -> None:
        if name not in self.FIELDS:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}. Known fields: "
                                 f"{', '.join(self.FIELDS)}.")
        object.__setattr__(self, name, value)

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __repr__(self) -> str:
        changed = {k: v for k, v in vars(self).items() if v != self.FIELDS[k]}
        inner = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"{type(self).__name__}({inner})"

    def CopyFrom(self, other: Message) -> None:  # noqa: N802 - the protobuf method name
        """Replace every field with a copy of `other`'s."""
        for name in self.FIELDS:
            object.__setattr__(self, name, copy.deepcopy(getattr(other, name)))

    def HasField(self, name: str) -> bool:  # noqa: N802
        """True when field `name` differs from its default."""
        return getattr(self, name) != self.FIELDS[name]


class GPUOptions(Message):
    """GPU memory options (`allow_growth`, `per_process_gpu_memory_fraction`, ...); ignored.

    Example: `tf.ConfigProto(gpu_options=tf.GPUOptions(allow_growth=True))`.
    """

    FIELDS = {"per_process_gpu_memory_fraction": 0.0, "allow_growth": False,
              "allocator_type": "", "deferred_deletion_bytes": 0, "visible_device_list": "",
              "polling_active_delay_usecs": 0, "polling_inactive_delay_msecs": 0,
              "force_gpu_compatible": False}


class OptimizerOptions(Message):
    """Graph optimizer options (constant folding, XLA jit level). Only `global_jit_level`
    has an effect: `OFF` keeps the session's plans unfused (docs/performance.md, "Fusion").

    Example: `tf.OptimizerOptions(global_jit_level=tf.OptimizerOptions.OFF)`.
    """

    L1, L0 = 0, -1
    DEFAULT, OFF, ON_1, ON_2 = 0, -1, 1, 2
    FIELDS = {"do_common_subexpression_elimination": False, "do_constant_folding": False,
              "max_folded_constant_in_bytes": 0, "do_function_inlining": False,
              "opt_level": 0, "global_jit_level": 0}


class GraphOptions(Message):
    """Graph-level options (`optimizer_options`, cost model, ...); ignored.

    Example: `tf.ConfigProto(graph_options=tf.GraphOptions(infer_shapes=True))`.
    """

    FIELDS = {"enable_recv_scheduling": False, "optimizer_options": OptimizerOptions(),
              "build_cost_model": 0, "build_cost_model_after": 0, "infer_shapes": False,
              "place_pruned_graph": False, "enable_bfloat16_sendrecv": False,
              "timeline_step": 0}


class ConfigProto(Message):
    """Session configuration (threads, device placement, GPU options); accepted and ignored.

    TF1 note: minigraph runs every op with numpy in the calling thread, so thread counts,
    device counts and placement flags change nothing.
    Example: `config = tf.ConfigProto(); config.gpu_options.allow_growth = True;
    sess = tf.Session(config=config)`.
    """

    FIELDS = {"device_count": {}, "intra_op_parallelism_threads": 0,
              "inter_op_parallelism_threads": 0, "use_per_session_threads": False,
              "placement_period": 0, "device_filters": [], "gpu_options": GPUOptions(),
              "allow_soft_placement": False, "log_device_placement": False,
              "graph_options": GraphOptions(), "operation_timeout_in_ms": 0,
              "isolate_session_state": False}


class RunOptions(Message):
    """Per-run options for `Session.run(..., options=)`, e.g. `trace_level`; ignored.

    Example: `tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)`.
    """

    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3
    FIELDS = {"trace_level": 0, "timeout_in_ms": 0, "inter_op_thread_pool": 0,
              "output_partition_graphs": False, "report_tensor_allocations_upon_oom": False}


class StepStats(Message):
    """Per-device step statistics; minigraph records none, so `dev_stats` stays empty."""

    FIELDS = {"dev_stats": []}


class CostGraphDef(Message):
    """Cost-model graph; minigraph has no cost model, so `node` stays empty."""

    FIELDS = {"node": []}


class RunMetadata(Message):
    """Output record for `Session.run(..., run_metadata=)`; minigraph leaves it empty.

    Example: `meta = tf.RunMetadata(); sess.run(y, options=opts, run_metadata=meta)`.
    """

    FIELDS = {"step_stats": StepStats(), "cost_graph": CostGraphDef(), "partition_graphs": []}
