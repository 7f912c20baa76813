"""Adam (Kingma & Ba 2015) for the inner loop, without ``torch.optim``'s start-up cost.

Every ``torch.optim`` optimizer imports ``torch._dynamo`` when it is built (its ``add_param_group``
is wrapped to stay out of compiled graphs): 2.6 s of a 76 s ``filmstyle adapt`` on the project's
2-core CPU, spent before the first step. The adaptation needs only plain Adam, so it is written out
here with ``torch.optim.Adam``'s update, step for step (its single-tensor path, the one it takes for
CPU tensors; a test checks the two agree), and the subset of the optimizer interface that
:class:`filmstyle.training.loop.Trainer` and :mod:`filmstyle.core.store` use: ``zero_grad``,
``step``, ``state_dict`` and ``load_state_dict`` (the same layout, so a checkpoint written with
one loads into the other).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch


class Adam:
    """Adam over ``params`` with learning rate ``lr``, ``betas`` and ``eps`` (no weight decay, no AMSGrad)."""

    def __init__(self, params: Iterable[torch.nn.Parameter], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("Adam got an empty parameter list")
        if not (lr >= 0 and eps >= 0 and 0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"invalid Adam settings: lr={lr}, betas={betas}, eps={eps}")
        self.lr, self.betas, self.eps = lr, betas, eps
        self.state: dict[int, dict[str, torch.Tensor]] = {}

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.zero_()

    @torch.no_grad()
    def step(self) -> None:
        beta1, beta2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            s = self.state.get(i)
            if s is None:
                s = self.state[i] = {"step": torch.tensor(0.0), "exp_avg": torch.zeros_like(p),
                                     "exp_avg_sq": torch.zeros_like(p)}
            s["step"] += 1
            step = float(s["step"])
            s["exp_avg"].lerp_(p.grad, 1 - beta1)
            s["exp_avg_sq"].mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
            step_size = self.lr / (1 - beta1 ** step)
            denom = (s["exp_avg_sq"].sqrt() / (1 - beta2 ** step) ** 0.5).add_(self.eps)
            p.addcdiv_(s["exp_avg"], denom, value=-step_size)

    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {"step", "exp_avg", "exp_avg_sq"}}, "param_groups": [...]}``, as torch's."""
        return {"state": {i: dict(s) for i, s in self.state.items()},
                "param_groups": [{"lr": self.lr, "betas": self.betas, "eps": self.eps,
                                  "params": list(range(len(self.params)))}]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.state = {}
        for i, s in state["state"].items():
            i = int(i)
            if not 0 <= i < len(self.params):
                raise ValueError(f"optimizer state for parameter {i}, but there are {len(self.params)}")
            p = self.params[i]
            self.state[i] = {"step": torch.as_tensor(s["step"], dtype=torch.float32).clone(),
                             "exp_avg": s["exp_avg"].to(p).clone(), "exp_avg_sq": s["exp_avg_sq"].to(p).clone()}
