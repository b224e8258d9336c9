"""Candidate samplers: log-uniform (Zipfian), uniform and fixed-unigram draws of class ids,
with the expected count of every true and sampled class.

Each op returns (sampled_candidates, true_expected_count, sampled_expected_count). Without
`unique`, a class of probability p drawn num_sampled times is expected p * num_sampled
times; with `unique`, draws are repeated until num_sampled distinct classes came up after
T draws, and the expected count is 1 - (1 - p)^T. These are TF's definitions. The random
stream is numpy's: draws differ from TF's but follow the same distribution, and a seed
makes them repeatable (graph and op seeds as for every random op).
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.tensor import Spec
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape
from .constant_op import convert_to_tensor
from .random_ops import seed_attrs

__all__ = ["log_uniform_candidate_sampler", "uniform_candidate_sampler",
           "fixed_unigram_candidate_sampler"]


def _draw(rng, sample, num_sampled, unique):
    """(candidates, number of draws T) following TF's loop: with `unique`, draw until
    num_sampled distinct ids came up, keeping them in order of first appearance."""
    if not unique:
        return sample(rng, num_sampled), num_sampled
    values = np.empty(0, np.int64)
    while True:
        values = np.concatenate([values, sample(rng, max(2 * num_sampled, 16))])
        _, first = np.unique(values, return_index=True)
        if first.size >= num_sampled:
            first = np.sort(first)[:num_sampled]
            return values[first], int(first[-1]) + 1


def _expected(p, num_sampled, tries):
    if tries == num_sampled:
        return p * num_sampled
    return -np.expm1(tries * np.log1p(-p))


class _Sampler(OpDef):
    """Shared shapes and kernel; a subclass gives `probability(classes, **attrs)` and
    `sample(rng, n, **attrs)`."""

    inputs = ("true_classes",)
    input_types = ("int64",)
    uses_context = True
    stateful = True

    @staticmethod
    def infer(true_classes, *, num_true, num_sampled, unique, range_max, seed, seed2,
              **attrs):
        if true_classes.dtype.base_dtype != _dtypes.int64:
            raise TypeError(f"true_classes must be int64, got {true_classes.dtype.name}. Fix: "
                            "tf.cast the labels to tf.int64.")
        if true_classes.shape.ndims not in (None, 2):
            raise ValueError(f"true_classes must be a matrix [batch_size, num_true], got shape "
                             f"{true_classes.shape}.")
        if unique and num_sampled > range_max:
            raise ValueError(f"Sampler with unique=True needs num_sampled ({num_sampled}) <= "
                             f"range_max ({range_max}).")
        rows = true_classes.shape[0] if true_classes.shape.ndims == 2 else None
        return [Spec(_dtypes.int64, TensorShape([num_sampled])),
                Spec(_dtypes.float32, TensorShape([rows, num_true])),
                Spec(_dtypes.float32, TensorShape([num_sampled]))]

    @classmethod
    def compute(cls, ctx, op, true_classes, **attrs):
        n, unique = attrs["num_sampled"], attrs["unique"]
        sampled, tries = _draw(ctx.rng(op), lambda rng, k: cls.sample(rng, k, **attrs),
                               n, unique)
        true_p = cls.probability(true_classes, **attrs)
        sampled_p = cls.probability(sampled, **attrs)
        return (sampled.astype(np.int64),
                _expected(true_p, n, tries).astype(np.float32),
                _expected(sampled_p, n, tries).astype(np.float32))

    gradient = staticmethod(no_gradient)


@register_op("LogUniformCandidateSampler")
class LogUniformCandidateSampler(_Sampler):
    """P(k) = (log(k + 2) - log(k + 1)) / log(range_max + 1): small ids are frequent."""

    @staticmethod
    def probability(classes, *, range_max, **attrs):
        k = np.asarray(classes, np.float64)
        return (np.log(k + 2.0) - np.log(k + 1.0)) / np.log(range_max + 1.0)

    @staticmethod
    def sample(rng, n, *, range_max, **attrs):
        values = np.exp(rng.random(n) * np.log(range_max + 1.0)).astype(np.int64) - 1
        return values % range_max


@register_op("UniformCandidateSampler")
class UniformCandidateSampler(_Sampler):
    """P(k) = 1 / range_max."""

    @staticmethod
    def probability(classes, *, range_max, **attrs):
        return np.full(np.shape(classes), 1.0 / range_max)

    @staticmethod
    def sample(rng, n, *, range_max, **attrs):
        return rng.integers(0, range_max, size=n, dtype=np.int64)


@register_op("FixedUnigramCandidateSampler")
class FixedUnigramCandidateSampler(_Sampler):
    """P(k) proportional to unigrams[k] ** distortion (num_reserved_ids leading zeros)."""

    @staticmethod
    def _weights(unigrams, distortion, num_reserved_ids, range_max):
        weights = np.concatenate([np.zeros(num_reserved_ids),
                                  np.asarray(unigrams, np.float64) ** distortion])
        if weights.size != range_max:
            raise ValueError(f"range_max ({range_max}) must equal num_reserved_ids + "
                             f"len(unigrams) ({weights.size}).")
        return weights / weights.sum()

    @classmethod
    def probability(cls, classes, *, range_max, unigrams, distortion, num_reserved_ids,
                    **attrs):
        weights = cls._weights(unigrams, distortion, num_reserved_ids, range_max)
        return weights[np.asarray(classes, np.int64)]

    @classmethod
    def sample(cls, rng, n, *, range_max, unigrams, distortion, num_reserved_ids, **attrs):
        weights = cls._weights(unigrams, distortion, num_reserved_ids, range_max)
        return rng.choice(range_max, size=n, p=weights).astype(np.int64)


def _sample(op_def, true_classes, num_true, num_sampled, unique, range_max, seed, name,
            **extra):
    classes = convert_to_tensor(true_classes, dtype=_dtypes.int64, name="true_classes")
    out = op_def.apply([classes], name=name, num_true=int(num_true),
                       num_sampled=int(num_sampled), unique=bool(unique),
                       range_max=int(range_max), **seed_attrs(seed), **extra)
    return tuple(out)


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                  seed=None, name=None) -> tuple:
    """Draw `num_sampled` ids in [0, range_max) from the log-uniform (Zipfian) distribution.

    Returns (sampled_candidates, true_expected_count, sampled_expected_count).
    """
    return _sample(LogUniformCandidateSampler, true_classes, num_true, num_sampled, unique,
                   range_max, seed, name)


def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                              seed=None, name=None) -> tuple:
    """Draw `num_sampled` ids uniformly from [0, range_max)."""
    return _sample(UniformCandidateSampler, true_classes, num_true, num_sampled, unique,
                   range_max, seed, name)


def fixed_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                    vocab_file="", distortion=1.0, num_reserved_ids=0,
                                    num_shards=1, shard=0, unigrams=(), seed=None,
                                    name=None) -> tuple:
    """Draw ids with probability proportional to unigrams[k] ** distortion.

    TF1 note: counts must be given as `unigrams`; vocab_file and sharding are not supported.
    """
    if vocab_file or num_shards != 1:
        raise ValueError("fixed_unigram_candidate_sampler: vocab_file and num_shards are not "
                         "supported by minigraph. Fix: pass the counts as unigrams=[...].")
    return _sample(FixedUnigramCandidateSampler, true_classes, num_true, num_sampled, unique,
                   range_max, seed, name, unigrams=tuple(float(u) for u in unigrams),
                   distortion=float(distortion), num_reserved_ids=int(num_reserved_ids))
