"""`tf.logging`: TF1's logging functions on Python's standard `logging` module.

Messages go to the logger named "minigraph". Its level starts at WARN, as TensorFlow's does,
so `tf.logging.info` prints only after `tf.logging.set_verbosity(tf.logging.INFO)`. When the
root logger has no handlers, one stderr handler is added to the "minigraph" logger on first
use (TF does the same for "tensorflow").
TF1 note: the logger is called "minigraph", not "tensorflow"; log_every_n, log_first_n and
TaskLevelStatusMessage are not provided.
"""

from __future__ import annotations

import logging
import sys
from ..framework.missing import namespace_getattr

__all__ = ["DEBUG", "INFO", "WARN", "ERROR", "FATAL", "debug", "info", "warn", "warning",
           "error", "fatal", "log", "log_if", "vlog", "set_verbosity", "get_verbosity", "flush"]

DEBUG = logging.DEBUG
INFO = logging.INFO
WARN = logging.WARN
ERROR = logging.ERROR
FATAL = logging.FATAL

LOGGER_NAME = "minigraph"


def get_logger() -> logging.Logger:
    """Return the "minigraph" logger, giving it its level and handler the first time."""
    logger = logging.getLogger(LOGGER_NAME)
    if logger.level == logging.NOTSET:
        logger.setLevel(WARN)
    if not logging.getLogger().handlers and not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(logging.BASIC_FORMAT))
        logger.addHandler(handler)
    return logger


def log(level: int, msg, *args, **kwargs) -> None:
    """Log `msg % args` at `level`.  Example: `tf.logging.log(tf.logging.INFO, "step %d", 3)`."""
    get_logger().log(level, msg, *args, **kwargs)


def debug(msg, *args, **kwargs) -> None:
    """Log at DEBUG.  Example: `tf.logging.debug("shape %s", x.shape)`."""
    log(DEBUG, msg, *args, **kwargs)


def info(msg, *args, **kwargs) -> None:
    """Log at INFO.  Example: `tf.logging.info("loss = %.3f", loss_value)`."""
    log(INFO, msg, *args, **kwargs)


def warning(msg, *args, **kwargs) -> None:
    """Log at WARN.  Example: `tf.logging.warning("learning rate %g is large", lr)`."""
    log(WARN, msg, *args, **kwargs)


warn = warning


def error(msg, *args, **kwargs) -> None:
    """Log at ERROR.  Example: `tf.logging.error("no checkpoint in %s", path)`."""
    log(ERROR, msg, *args, **kwargs)


def fatal(msg, *args, **kwargs) -> None:
    """Log at FATAL (it does not exit, as in TF).  Example: `tf.logging.fatal("giving up")`."""
    log(FATAL, msg, *args, **kwargs)


def log_if(level: int, msg, condition, *args) -> None:
    """Log `msg % args` at `level` only when `condition` is true."""
    if condition:
        log(level, msg, *args)


def vlog(level: int, msg, *args, **kwargs) -> None:
    """Log at `level` (TF's verbose-logging name for `log`)."""
    log(level, msg, *args, **kwargs)


def set_verbosity(v: int) -> None:
    """Show messages at level `v` and above.

    Example: `tf.logging.set_verbosity(tf.logging.INFO)`.
    """
    get_logger().setLevel(v)


def get_verbosity() -> int:
    """Return the current threshold level (WARN until set_verbosity is called)."""
    return get_logger().getEffectiveLevel()


def flush() -> None:
    """Flush the handlers of the "minigraph" logger."""
    for handler in get_logger().handlers:
        handler.flush()

__getattr__ = namespace_getattr("logging")
