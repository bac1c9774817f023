"""Training on several processes with PyTorch's own distributed engine (torch.distributed, DDP).

MATLAB's ExecutionEnvironment 'multi-gpu' (one machine, one worker per GPU) and 'parallel'
(workers of a pool, possibly on several machines, on CPUs where there are no GPUs) become a
torch.distributed process group and DistributedDataParallel:

- launched by ``torchrun`` (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT set), each
  process joins the group torchrun describes; a group the caller initialised already is used;
- otherwise the training call starts the workers itself (torch.multiprocessing, 'spawn'): the
  calling process is worker 0 and ``workers - 1`` more start on this machine. 'multi-gpu' starts
  one per visible GPU; 'parallel' on the CPU needs the count (``workers=`` of trainNetwork and
  trainnet, ``--nproc`` of ``layergraph train``): MATLAB takes it from the parallel pool
  (``parpool(N)``), which lives outside trainingOptions, so layergraph has no option for it.

Backend: NCCL with one GPU per worker (cuda:LOCAL_RANK) where CUDA is available ('multi-gpu'
needs it); gloo on the CPU otherwise. LAYERGRAPH_DIST_TIMEOUT (seconds, default 1800) bounds
every collective, so a worker that died cannot leave the others waiting for ever.

MiniBatchSize is the global mini-batch, divided among the workers as MATLAB does: every worker
draws the same order (same Seed), takes its share of each mini-batch (:meth:`Workers.share`), and
divides its loss by the global count (sequences or real positions) rather than its own, so the
shares add up to the loss of the whole mini-batch. DDP is given a hook that sums the gradients
instead of averaging them, so clipping and the solver see the one-process gradient up to the
order of floating-point sums.
"""

from __future__ import annotations

import datetime
import os
import pickle
import sys
import warnings

import numpy as np
import torch
import torch.distributed as dist
from torch.multiprocessing.spawn import ProcessException

from ..errors import LayerGraphError, OptionError

DISTRIBUTED_ENVIRONMENTS = ("multi-gpu", "parallel")
TIMEOUT_VARIABLE = "LAYERGRAPH_DIST_TIMEOUT"
DEFAULT_TIMEOUT_S = 1800.0
_TORCHRUN = ("RANK", "WORLD_SIZE", "MASTER_ADDR")


class WorkerError(LayerGraphError, RuntimeError):
    """A worker process failed or stopped answering during distributed training."""


_took_part = False  # True once this process has been a worker of a group


def exit_process(code: int):
    """End the process with ``code``; past Python's teardown if it was a worker of a group.

    A process group that exists when torch._dynamo is first imported (DDP imports it on first
    use) outlives destroy_process_group (seen with torch 2.13): gloo's threads stay, and their
    destruction during the interpreter's teardown can abort the process ("terminate called
    without an active exception"), which torchrun or worker 0 reports as a failed worker
    although training succeeded. So the command line ends this way; started workers do too
    (:func:`_worker`). (Importing torch._dynamo before the group avoids the leak, but a started
    worker then hung once at its end in a full test run, so it is not done.)"""
    if not _took_part:
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def torchrun_environment() -> tuple[int, int, int] | None:
    """(rank, world size, local rank) from torchrun's variables, or None without them."""
    if not all(k in os.environ for k in _TORCHRUN):
        return None
    try:
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        local = int(os.environ.get("LOCAL_RANK", rank))
    except ValueError:
        raise OptionError("RANK, WORLD_SIZE and LOCAL_RANK must be integers (as torchrun sets "
                          "them)", owner="distributed training", expected="integers") from None
    return rank, world, local


def is_main_process() -> bool:
    """False in every worker but rank 0 (of an initialised group, or of a torchrun launch): only
    the main process prints, validates, writes checkpoints and saves results."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank() == 0
    run = torchrun_environment()
    return run is None or run[0] == 0


def timeout() -> datetime.timedelta:
    text = os.environ.get(TIMEOUT_VARIABLE, "")
    try:
        seconds = float(text) if text else DEFAULT_TIMEOUT_S
        if not seconds > 0:
            raise ValueError
    except ValueError:
        raise OptionError(f"{TIMEOUT_VARIABLE} is {text!r}", owner="distributed training",
                          expected="a positive number of seconds") from None
    return datetime.timedelta(seconds=seconds)


def _sum_gradients(state, bucket):
    """DDP communication hook: the sum of the workers' gradients (DDP's default is the mean)."""
    work = dist.all_reduce(bucket.buffer(), async_op=True)
    return work.get_future().then(lambda fut: fut.value()[0])


class _SumOverWorkers(torch.autograd.Function):
    """y = the sum of every worker's x. Each worker's loss depends on y, so the gradient of x is
    the sum of every worker's gradient of y: summed over the workers again."""

    @staticmethod
    def forward(ctx, x):
        y = x.clone()
        dist.all_reduce(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        g = grad.clone()
        dist.all_reduce(g)
        return g


class Workers:
    """The process group one training runs in, as this process sees it."""

    def __init__(self, rank, world, local_rank, backend, owns_group, store=None, children=None,
                 threads=None):
        global _took_part
        _took_part = True
        self.rank, self.world, self.local_rank, self.backend = rank, world, local_rank, backend
        self.device = torch.device("cuda", local_rank) if backend == "nccl" else \
            torch.device("cpu")
        if self.device.type == "cuda":
            torch.cuda.set_device(self.device)
        self.owns_group, self._store, self.children = owns_group, store, children
        self.contributes = True  # False while this worker runs a stand-in share (weight 0)
        self._threads = None
        if threads is not None:  # CPU workers started here share the cores
            self._threads = torch.get_num_threads()
            torch.set_num_threads(threads)

    @property
    def main(self) -> bool:
        return self.rank == 0

    # --- the data ---------------------------------------------------------------------------------
    def share(self, lengths) -> tuple[np.ndarray, bool]:
        """This worker's positions in a mini-batch of sequences with these lengths: the batch
        sorted longest first and dealt round-robin, so every share spans the lengths alike.
        A worker left without any (fewer sequences than workers) gets the first as a stand-in,
        True as second value: it runs and takes part in the gradient sum with weight 0."""
        order = np.argsort(-np.asarray(lengths), kind="stable")
        mine = order[self.rank::self.world]
        return (mine, False) if len(mine) else (order[:1], True)

    # --- collectives ------------------------------------------------------------------------------
    def sum(self, value) -> float:
        """The sum over the workers of a number (or a one-element tensor)."""
        t = torch.as_tensor(value, dtype=torch.float64).detach().reshape(1).to(self.device)
        dist.all_reduce(t)
        return float(t.item())

    def sum_with_gradient(self, tensor):
        """The sum over the workers of ``tensor``, differentiable (the gradient is summed back):
        batch statistics of the whole mini-batch. A stand-in share (:attr:`contributes` false)
        adds zeros."""
        return _SumOverWorkers.apply(tensor if self.contributes else tensor * 0)

    def gather(self, obj) -> list:
        """Every worker's ``obj``, in rank order (picklable objects: CPU tensors, numbers)."""
        out = [None] * self.world
        dist.all_gather_object(out, obj)
        return out

    def broadcast(self, obj=None):
        """Worker 0's ``obj``, on every worker."""
        box = [obj]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def wrap(self, module) -> torch.nn.parallel.DistributedDataParallel:
        """``module`` under DDP, gradients summed. Buffers are not broadcast at each forward:
        recurrent state is per worker (its own sequences), and normalisation statistics are
        fixed during training."""
        ddp = torch.nn.parallel.DistributedDataParallel(
            module, device_ids=[self.device.index] if self.device.type == "cuda" else None,
            forward_sync_buffers=False)
        ddp.register_comm_hook(None, _sum_gradients)
        return ddp

    # --- the end ----------------------------------------------------------------------------------
    def run(self, train, owner):
        """``train()`` on this worker, then the group's end: :meth:`finish` after success,
        :meth:`abort` after a failure, which is raised as this worker's own layergraph error,
        or as a :class:`WorkerError` saying which worker failed (or that one stopped
        answering)."""
        try:
            result = train()
        except Exception as exc:
            why = self.abort()
            if isinstance(exc, LayerGraphError) or not (why or isinstance(exc, RuntimeError)):
                raise
            if why:
                raise WorkerError(f"a worker failed ({why}); worker {self.rank} stopped with it",
                                  owner=owner) from exc
            first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
            raise WorkerError(f"worker {self.rank} stopped: {type(exc).__name__}: {first}",
                              owner=owner, hint=f"(a worker failed, or did not answer within "
                              f"{TIMEOUT_VARIABLE} seconds)") from exc
        except BaseException:
            self.abort()
            raise
        self.finish()
        return result

    # --- the end ----------------------------------------------------------------------------------
    def finish(self):
        """After a training that succeeded on this worker: wait for the others, (worker 0 of a
        spawn) see every started worker end well, and leave the group."""
        try:
            dist.barrier()
            # the started workers leave first: worker 0 holds the store they leave through
            why = self._join_children(timeout().total_seconds())
        finally:
            self._leave()
        if why:
            raise WorkerError(f"a worker failed: {why}", owner="distributed training")

    def abort(self) -> str | None:
        """After a failure on this worker: stop the workers it started, leave the group; the
        failure of a started worker, if one failed, to report with this one's."""
        why = self._join_children(5.0)
        self._leave()
        return why

    def _leave(self):
        if self._threads is not None:
            torch.set_num_threads(self._threads)
            self._threads = None
        if self.owns_group and dist.is_initialized():
            dist.destroy_process_group()
        self.owns_group, self._store = False, None

    def _join_children(self, wait) -> str | None:
        ctx, self.children = self.children, None
        if ctx is None:
            return None
        try:
            if not ctx.join(timeout=wait):
                return f"a worker did not end within {wait:.0f} s"
            return None
        except ProcessException as exc:
            return _last_line(str(exc))
        finally:
            for p in ctx.processes:
                if p.is_alive():
                    p.terminate()
                    p.join(5)


def _last_line(text) -> str:
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return lines[-1] if lines else str(text)


def start(env, workers, target, args, owner) -> Workers | None:
    """The group this training runs in (joined, or started here with ``target(group, *args)`` in
    each new worker), or None when it runs in one process."""
    run = torchrun_environment()
    if workers is not None and (isinstance(workers, bool) or not isinstance(
            workers, (int, np.integer)) or workers < 1):
        raise OptionError(f"workers is {workers!r}", owner=owner, option="workers", part="value",
                          expected="a positive integer (the number of worker processes)")
    if env not in DISTRIBUTED_ENVIRONMENTS:
        if workers not in (None, 1):
            raise OptionError(f"workers={workers} needs ExecutionEnvironment 'parallel' or "
                              f"'multi-gpu' (it is {env!r})", owner=owner, option="workers",
                              part="value", expected="ExecutionEnvironment 'parallel' or "
                              "'multi-gpu' with workers")
        if run is not None and run[1] > 1:
            warnings.warn(f"{owner}: launched by torchrun with WORLD_SIZE={run[1]}, but "
                          f"ExecutionEnvironment is {env!r}: every process trains alone. Set "
                          "ExecutionEnvironment='parallel' or 'multi-gpu' to train together.",
                          RuntimeWarning, stacklevel=4)
        return None
    if not dist.is_available():
        raise OptionError(f"ExecutionEnvironment '{env}' needs torch.distributed, which this "
                          "PyTorch build lacks", owner=owner, option="ExecutionEnvironment",
                          part="value", expected="'auto', 'cpu' or 'gpu'")
    cuda = torch.cuda.is_available()
    if env == "multi-gpu" and not cuda:
        raise OptionError("ExecutionEnvironment 'multi-gpu' needs CUDA GPUs and none is "
                          "available", owner=owner, option="ExecutionEnvironment", part="value",
                          expected="'parallel' (CPU workers, gloo), 'auto' or 'cpu'")
    backend = "nccl" if cuda else "gloo"
    if dist.is_initialized():  # the caller's group
        rank, world = dist.get_rank(), dist.get_world_size()
        _check_count(workers, world, "the initialised process group has", owner)
        local = run[2] if run else rank
        return Workers(rank, world, local, dist.get_backend(), owns_group=False)
    if run is not None:
        rank, world, local = run
        _check_count(workers, world, "torchrun started", owner)
        _check_gpu(backend, local, owner)
        dist.init_process_group(backend, init_method="env://", rank=rank, world_size=world,
                                timeout=timeout())
        return Workers(rank, world, local, backend, owns_group=True)
    if workers is None:
        if not cuda:
            raise OptionError(
                f"ExecutionEnvironment '{env}' without GPUs needs the number of CPU workers",
                owner=owner, option="workers", part="value",
                expected=f"{owner}(..., workers=N), layergraph train --nproc N, or a launch by "
                "torchrun --nproc-per-node N")
        workers = torch.cuda.device_count()
    if backend == "nccl":
        _check_gpu(backend, workers - 1, owner)
    return _spawn(workers, backend, target, args, owner)


def _check_count(workers, world, who, owner):
    if workers is not None and workers != world:
        raise OptionError(f"workers={workers} but {who} {world} processes", owner=owner,
                          option="workers", part="value",
                          expected=f"workers=None or {world}")


def _check_gpu(backend, local_rank, owner):
    if backend == "nccl" and local_rank >= torch.cuda.device_count():
        raise OptionError(f"worker {local_rank} of this machine has no GPU of its own "
                          f"({torch.cuda.device_count()} visible); NCCL needs one GPU per "
                          "worker", owner=owner, option="workers", part="value",
                          expected=f"at most {torch.cuda.device_count()} workers per machine")


def _spawn(world, backend, target, args, owner) -> Workers:
    """Worker 0 here; workers 1 .. world-1 as new processes on this machine."""
    try:  # the arguments travel to the workers by pickle: say so before starting any
        pickle.dumps((target, args))
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise OptionError(f"the data, network, options and loss must be picklable to start "
                          f"worker processes ({type(exc).__name__}: {exc})", owner=owner,
                          option="workers", part="value",
                          expected="a module-level loss function (not a lambda or a local "
                          "function) and plain data") from None
    limit = timeout()
    store = dist.TCPStore("127.0.0.1", 0, world, is_master=True, timeout=limit,
                          wait_for_workers=False)  # port 0: the system picks a free one
    threads = max(1, torch.get_num_threads() // world) if backend == "gloo" else None
    ctx = None
    if world > 1:
        ctx = torch.multiprocessing.start_processes(
            _worker, args=(store.port, world, backend, threads, target, args), nprocs=world - 1,
            join=False, start_method="spawn")
    try:
        dist.init_process_group(backend, store=store, rank=0, world_size=world, timeout=limit)
    except BaseException:
        Workers(0, world, 0, "gloo", owns_group=False, children=ctx).abort()
        raise
    return Workers(0, world, 0, backend, owns_group=True, store=store, children=ctx,
                   threads=threads)


def _worker(index, port, world, backend, threads, target, args):
    """A started worker: join worker 0's group, then train (``target`` ends the group)."""
    limit = timeout()
    store = dist.TCPStore("127.0.0.1", port, world, is_master=False, timeout=limit)
    rank = index + 1
    dist.init_process_group(backend, store=store, rank=rank, world_size=world, timeout=limit)
    target(Workers(rank, world, rank, backend, owns_group=True, store=store, threads=threads),
           *args)
    exit_process(0)  # done, and the group left: past the teardown that can abort
