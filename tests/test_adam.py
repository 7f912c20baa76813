"""The inner loop's Adam: torch.optim.Adam's update without its start-up cost."""
from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from filmstyle.core import store
from filmstyle.training.adam import Adam
from filmstyle.training.loop import Trainer


def _net(seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.Conv2d(4, 3, 1))


def _step(net: torch.nn.Module):  # noqa: ANN202
    def step(i: int, gen: torch.Generator) -> dict[str, torch.Tensor]:
        x = torch.randn(2, 3, 6, 6, generator=gen)
        return {"total": (net(x) - x[..., 1:-1, 1:-1]).pow(2).mean()}
    return step


@pytest.mark.parametrize("lr", [1e-4, 1e-2])
def test_same_steps_as_torch_adam(lr):
    ours, theirs = _net(), _net()
    a = Trainer(ours, Adam(ours.parameters(), lr=lr), steps=30).run(_step(ours))
    b = Trainer(theirs, torch.optim.Adam(theirs.parameters(), lr=lr), steps=30).run(_step(theirs))
    assert a.history[-1]["total"] < 0.9 * a.history[0]["total"]  # it trains
    for p, q in zip(ours.parameters(), theirs.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=1e-6)
    assert [r["total"] for r in a.history] == pytest.approx([r["total"] for r in b.history], rel=1e-5)


def test_parameters_without_a_gradient_are_left_alone():
    net = _net()
    frozen = net[2].weight.detach().clone()
    net[2].weight.requires_grad_(False)
    opt = Adam(net.parameters(), lr=1e-2)
    _step(net)(1, torch.Generator().manual_seed(0))["total"].backward()
    opt.step()
    assert torch.equal(net[2].weight, frozen) and 2 not in opt.state and 0 in opt.state


def test_checkpoints_load_into_either_optimizer(tmp_path):
    """A checkpoint written with torch's Adam resumes with ours and ends where an uninterrupted torch run ends."""
    whole = _net()
    Trainer(whole, torch.optim.Adam(whole.parameters(), lr=1e-2), steps=10).run(_step(whole))
    first = _net()
    ckpt = tmp_path / "run.ckpt"
    Trainer(first, torch.optim.Adam(first.parameters(), lr=1e-2), steps=4, checkpoint=ckpt, run_key="k").run(_step(first))
    second = _net(seed=1)
    opt = Adam(second.parameters(), lr=1e-2)
    trainer = Trainer(second, opt, steps=10, checkpoint=ckpt, run_key="k")
    assert trainer.start == 4 and float(opt.state[0]["step"]) == 4
    trainer.run(_step(second))
    for p, q in zip(whole.parameters(), second.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=1e-6)
    tensors = store.snapshot(second, opt)
    other = Adam(_net().parameters())
    store.load_snapshot(tensors, None, other)
    assert all(torch.equal(other.state[i]["exp_avg"], opt.state[i]["exp_avg"]) for i in opt.state)


def test_bad_settings_and_state_are_refused():
    with pytest.raises(ValueError, match="empty"):
        Adam([])
    with pytest.raises(ValueError, match="invalid"):
        Adam(_net().parameters(), lr=-1)
    with pytest.raises(ValueError, match="parameter 9"):
        Adam(_net().parameters()).load_state_dict({"state": {9: {"step": 1, "exp_avg": torch.zeros(1), "exp_avg_sq": torch.zeros(1)}}})


def test_adapting_does_not_import_torch_dynamo():
    """The reason the class exists: building torch.optim's Adam imports torch._dynamo (~2.6 s on the project's CPU)."""
    code = ("import sys, torch\n"
            "from filmstyle.core.config import AdaptConfig\n"
            "from filmstyle.nets.transformer import TransformerNet\n"
            "from filmstyle.training.adapt import adapt\n"
            "net = TransformerNet(width=4, depth=1)\n"
            "adapt(net, torch.rand(1, 3, 16, 16), [torch.rand(1, 3, 16, 16)], AdaptConfig(steps=2, size=16, tone='none'))\n"
            "print('torch._dynamo' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
