"""The one training loop: seeded steps, resume, checkpoints on SIGINT and SIGTERM."""
from __future__ import annotations

import os
import signal

import pytest
import torch

from filmstyle.core import store
from filmstyle.training.loop import Trainer


def _problem(seed: int = 0) -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    torch.manual_seed(seed)
    net = torch.nn.Linear(4, 2)
    return net, torch.optim.Adam(net.parameters(), lr=1e-2)


def _step(net: torch.nn.Module, stop_at: int | None = None, how: str = "int"):  # noqa: ANN202
    def step(i: int, gen: torch.Generator) -> dict[str, torch.Tensor]:
        if i == stop_at:
            if how == "term":
                os.kill(os.getpid(), signal.SIGTERM)
            raise KeyboardInterrupt
        x = torch.randn(8, 4, generator=gen)
        loss = (net(x) - x[:, :2]).pow(2).mean()
        return {"total": loss, "mse": loss.detach()}
    return step


def test_loop_steps_the_optimizer_and_records_every_term():
    net, opt = _problem()
    seen = []
    result = Trainer(net, opt, steps=200, on_step=lambda i, terms: seen.append((i, sorted(terms)))).run(_step(net))
    assert len(result.history) == 200 and seen[-1] == (200, ["mse", "total"])
    first, last = (sum(r["total"] for r in part) / 20 for part in (result.history[:20], result.history[-20:]))
    assert last < 0.2 * first


@pytest.mark.parametrize("how", ["int", "term"])
def test_interrupted_run_resumes_bit_identical(tmp_path, how):
    net, opt = _problem()
    whole = Trainer(net, opt, steps=7).run(_step(net))
    ckpt = tmp_path / "run.ckpt"
    net2, opt2 = _problem()
    with pytest.raises(KeyboardInterrupt):
        Trainer(net2, opt2, steps=7, checkpoint=ckpt, run_key="k", every=100).run(_step(net2, stop_at=5, how=how))
    assert store.read_header(ckpt, ("checkpoint",), "checkpoint")["step"] == 4  # the last completed step
    net3, opt3 = _problem(seed=1)  # other initial weights: the checkpoint must replace them
    trainer = Trainer(net3, opt3, steps=7, checkpoint=ckpt, run_key="k")
    assert trainer.start == 4
    resumed = trainer.run(_step(net3))
    assert resumed.resumed_from == 4 and resumed.history == whole.history
    for a, b in zip(net.parameters(), net3.parameters()):
        assert torch.equal(a, b)


def test_checkpoint_of_another_run_is_ignored(tmp_path):
    ckpt = tmp_path / "run.ckpt"
    net, opt = _problem()
    Trainer(net, opt, steps=2, checkpoint=ckpt, run_key="a").run(_step(net))
    net2, opt2 = _problem(seed=3)
    before = [p.clone() for p in net2.parameters()]
    assert Trainer(net2, opt2, steps=2, checkpoint=ckpt, run_key="b").start == 0
    assert all(torch.equal(a, b) for a, b in zip(before, net2.parameters()))
    ckpt.write_bytes(b"garbage")
    assert Trainer(net2, opt2, steps=2, checkpoint=ckpt, run_key="a").start == 0


def test_step_function_may_update_the_weights_itself():
    net, _ = _problem()

    def step(i: int, gen: torch.Generator) -> dict[str, float]:
        with torch.no_grad():
            net.bias.add_(1.0)
        return {"bias": float(net.bias.sum())}

    b0 = float(net.bias.sum())
    result = Trainer(net, None, steps=3).run(step)
    assert result.history[-1]["bias"] == pytest.approx(b0 + 6.0)


def test_a_resumed_run_counts_the_seconds_of_the_steps_it_kept(tmp_path):
    ckpt = tmp_path / "run.ckpt"
    net, opt = _problem()
    with pytest.raises(KeyboardInterrupt):
        Trainer(net, opt, steps=7, checkpoint=ckpt, run_key="k", every=100).run(_step(net, stop_at=5))
    recorded = store.read_header(ckpt, ("checkpoint",), "checkpoint")["seconds"]
    assert recorded > 0
    net2, opt2 = _problem()
    trainer = Trainer(net2, opt2, steps=7, checkpoint=ckpt, run_key="k")
    result = trainer.run(_step(net2))
    assert result.seconds_before == pytest.approx(recorded) and result.seconds_total == pytest.approx(recorded + result.seconds)
    fresh = Trainer(*_problem(), steps=2).run(_step(_problem()[0]))
    assert fresh.seconds_before == 0.0 and fresh.seconds_total == fresh.seconds


def test_stop_after_ends_at_a_step_with_a_checkpoint_and_the_resumed_run_is_the_whole_one(tmp_path):
    net, opt = _problem()
    whole = Trainer(net, opt, steps=7).run(_step(net))
    ckpt = tmp_path / "run.ckpt"
    net2, opt2 = _problem()
    part = Trainer(net2, opt2, steps=7, checkpoint=ckpt, run_key="k", every=100).run(_step(net2), stop_after=1e-9)
    assert part.steps == 1 and len(part.history) == 1  # out of time after the first step
    assert store.read_header(ckpt, ("checkpoint",), "checkpoint")["step"] == 1
    net3, opt3 = _problem()
    rest = Trainer(net3, opt3, steps=7, checkpoint=ckpt, run_key="k").run(_step(net3), stop_after=3600)
    assert rest.resumed_from == 1 and rest.steps == 7
    for p, q in zip(net3.state_dict().values(), net.state_dict().values()):
        assert torch.equal(p, q)
    assert [r["total"] for r in rest.history] == [r["total"] for r in whole.history]
