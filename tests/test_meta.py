"""Meta-learning: film grades, the task distribution, the inner loop and the outer loops.

Everything is tiny: TransformerNet(width=2, depth=1), a random-weight VGG19 cut at relu2_1, 16x16
images; the CLI test alone uses the real VGG at 64 px.
"""
from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from filmstyle._cli import main
from filmstyle.core.config import AdaptConfig, LossConfig
from filmstyle.look import load_look
from filmstyle.losses import perceptual_loss, style_targets
from filmstyle.nets.transformer import TransformerNet
from filmstyle.nets.vgg import VGG19Features
from filmstyle.training.adapt import adapt, random_crop
from filmstyle.training.grades import Grade, graded_still, random_grade
from filmstyle.training.meta import (
    MetaTrainConfig,
    adapted,
    es_gradient,
    fomaml_step,
    maml_step,
    meta_train,
    query_loss,
)
from filmstyle.training.tasks import (
    HOLDOUT_CONTENT,
    HOLDOUT_STYLES,
    TaskSampler,
    split_data,
    split_holdout,
)

LOSS = LossConfig(content_layer="relu2_1", style_layers=("relu1_1", "relu2_1"))
SIZE = 16
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="module")
def vgg() -> VGG19Features:
    torch.manual_seed(0)
    return VGG19Features(last_layer="relu2_1").eval()


def solid(rgb: list[float]) -> torch.Tensor:
    return torch.tensor(rgb).view(1, 3, 1, 1).expand(1, 3, SIZE, SIZE).clone()


def data(seed: int = 1) -> tuple[list[torch.Tensor], list[torch.Tensor], list[torch.Tensor]]:
    """(content 16x24 noise images, training styles, held-out styles): solid colours."""
    g = torch.Generator().manual_seed(seed)
    content = [torch.rand(1, 3, SIZE, SIZE + 8, generator=g) for _ in range(6)]
    styles = [solid(torch.rand(3, generator=g).tolist()) for _ in range(6)]
    held = [solid(torch.rand(3, generator=g).tolist()) for _ in range(3)]
    return content, styles, held


def tiny_cfg(**kw) -> MetaTrainConfig:
    base = {"iterations": 1, "meta_batch": 1, "inner_steps": 1, "inner_lr": 1e-2, "size": SIZE, "width": 2,
            "depth": 1, "loss": LOSS, "frames_per_task": 2, "query_per_task": 2, "es_pairs": 2}
    return MetaTrainConfig(**{**base, **kw})


def sampler(styles: list[torch.Tensor], content: list[torch.Tensor], seed: int = 0, grade_prob: float = 0.0) -> TaskSampler:
    return TaskSampler(styles, content, size=SIZE, frames_per_task=2, query_per_task=2, grade_prob=grade_prob, seed=seed)


def new_net(seed: int = 0) -> TransformerNet:
    torch.manual_seed(seed)
    return TransformerNet(width=2, depth=1)


# --- grades -----------------------------------------------------------------------------------

def test_grades_keep_shape_and_range_and_are_deterministic():
    img = torch.rand(2, 3, 12, 20, generator=torch.Generator().manual_seed(0))
    outs = []
    for seed in range(30):
        out = random_grade(torch.Generator().manual_seed(seed))(img)
        assert out.shape == img.shape and out.min() >= 0 and out.max() <= 1
        again = random_grade(torch.Generator().manual_seed(seed))(img)
        assert torch.equal(out, again)
        outs.append(out)
    assert all(not torch.equal(outs[0], o) for o in outs[1:])  # the seed matters
    assert torch.equal(graded_still(img[:1], torch.Generator().manual_seed(3)), outs[3][:1])
    assert torch.allclose(Grade()(img), img, atol=1e-6)  # the identity grade


def test_black_and_white_grade_has_equal_channels_unless_toned():
    img = torch.rand(1, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    busy = Grade(saturation=1.3, lift=(0.05, 0.0, -0.02), gamma=(1.1, 0.9, 1.0), gain=(1.0, 0.9, 1.1), split=0.2,
                 shadow_hue=0.5, highlight_hue=0.1, tint=0.2, tint_hue=0.6, bw=True, s_curve=0.5, contrast=1.2,
                 fade=0.1, grain=0.05, grain_seed=7)
    out = busy(img)
    assert torch.equal(out[:, 0], out[:, 1]) and torch.equal(out[:, 1], out[:, 2])
    toned = Grade(**{**busy.to_dict(), "tone": 0.2, "tone_hue": 0.08})(img)
    assert (toned[:, 0] - toned[:, 2]).abs().max() > 0.01  # sepia: red above blue
    drawn = [random_grade(torch.Generator().manual_seed(s)) for s in range(60)]
    neutral = [g for g in drawn if g.bw and g.tone == 0]
    assert neutral and all(torch.equal(g(img)[:, 0], g(img)[:, 2]) for g in neutral)


# --- tasks ------------------------------------------------------------------------------------

def test_task_sampler_is_seeded_and_shaped():
    content, styles, _ = data()
    a, b = sampler(styles, content), sampler(styles, content)
    t1, t2 = a.task(5), b.task(5)
    assert torch.equal(t1.style, t2.style) and torch.equal(t1.query, t2.query) and t1.seed == t2.seed
    assert t1.query.shape == (2, 3, SIZE, SIZE) and len(t1.frames) == 2
    assert all(min(f.shape[-2:]) == SIZE for f in t1.frames)
    assert a.task(6).seed != t1.seed
    graded = sampler(styles, content, grade_prob=1.0).task(0)
    assert graded.name.startswith("graded:") and graded.style.shape[-2:] == (SIZE, SIZE + 8)
    fixed = a.fixed_tasks()
    assert [t.name for t in fixed] == a.names["styles"] and torch.equal(fixed[2].style, styles[2])


def test_split_holdout_is_fixed_and_disjoint():
    paths = [Path(f"p{i}.jpg") for i in range(10)]
    train, held = split_holdout(paths, 3, seed=1)
    assert len(held) == 3 and len(train) == 7 and not set(train) & set(held)
    assert split_holdout(paths[::-1], 3, seed=1) == (train, held)  # order given does not matter
    with pytest.raises(ValueError):
        split_holdout(paths, 11)


def test_split_data_holds_out_the_named_files(tmp_path):
    for rel in ("styles/film_stills/sintel_f0016.png", "styles/film_stills/other.png", "styles/paintings/wave.jpg",
                "content/kodak__kodim05.jpg", "content/a.jpg", "content/b.jpg"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(tmp_path / rel)
    split = split_data(tmp_path / "styles", tmp_path / "content")
    assert sorted(p.name for p in split.eval_styles) == ["sintel_f0016.png", "wave.jpg"]
    assert [p.name for p in split.train_styles] == ["other.png"]
    assert [p.name for p in split.eval_content] == ["kodak__kodim05.jpg"] and len(split.train_content) == 2


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared/data")
def test_holdout_names_exist_in_the_shared_data():
    assert len(HOLDOUT_STYLES) >= 6 and len(HOLDOUT_CONTENT) >= 10
    split = split_data(SHARED / "styles", SHARED / "content")
    assert len(split.eval_styles) == len(HOLDOUT_STYLES) and len(split.eval_content) == len(HOLDOUT_CONTENT)


# --- the inner loop and the outer gradients ----------------------------------------------------

def test_one_inner_step_equals_one_adam_step(vgg):
    content, styles, _ = data()
    net = new_net()
    ref = copy.deepcopy(net)
    cfg = AdaptConfig(steps=1, lr=1e-2, size=SIZE, seed=3, loss=LOSS)
    adapt(net, styles[0], content, cfg, vgg=vgg)
    crop = random_crop(content, SIZE, torch.Generator().manual_seed(3 * 1_000_003 + 1))
    opt = torch.optim.Adam(ref.parameters(), lr=1e-2)
    perceptual_loss(vgg, ref(crop), crop, style_targets(vgg, styles[0], LOSS), LOSS)["total"].backward()
    opt.step()
    moved = 0.0
    for p, q, p0 in zip(net.parameters(), ref.parameters(), new_net().parameters()):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)
        moved = max(moved, float((p - p0).detach().abs().max()))
    assert moved > 1e-3  # the step did something


def test_first_order_meta_gradient_equals_hand_unrolled(vgg):
    content, styles, _ = data()
    cfg = tiny_cfg(algorithm="fomaml", inner_steps=1)
    task = sampler(styles, content).task(0)
    net = new_net()
    grads, stats = fomaml_step(net, [task], cfg, vgg, 1)
    # By hand: Adam's first step is theta - lr * g / (|g| + eps) (bias corrections cancel), then the
    # query gradient at phi.
    targets = style_targets(vgg, task.style, LOSS)
    crop = random_crop(task.frames, SIZE, torch.Generator().manual_seed(task.seed * 1_000_003 + 1))
    start = new_net()
    theta = list(start.parameters())
    g = torch.autograd.grad(perceptual_loss(vgg, start(crop), crop, targets, LOSS)["total"], theta)
    phi = new_net()
    with torch.no_grad():
        for p, t, gi in zip(phi.parameters(), theta, g):
            p.copy_(t - cfg.inner_lr * gi / (gi.abs() + 1e-8))
    expected = torch.autograd.grad(query_loss(phi, task, targets, vgg, LOSS), list(phi.parameters()))
    for a, b in zip(grads, expected):
        torch.testing.assert_close(a, b, rtol=1e-3, atol=1e-6)
    at_theta = torch.autograd.grad(query_loss(start, task, targets, vgg, LOSS), theta)
    assert max(float((a - b).abs().max()) for a, b in zip(grads, at_theta)) > 1e-4  # adaptation mattered
    assert stats["post"] < stats["pre"]


def test_reptile_update_is_theta_plus_eps_times_phi_minus_theta(vgg):
    content, styles, _ = data()
    cfg = tiny_cfg(algorithm="reptile", outer_lr=0.5, params="norm", inner_steps=2)
    train = sampler(styles, content)
    phi = adapted(new_net(), train.task(0), cfg, vgg)
    result = meta_train(cfg, train, [], net=new_net(), vgg=vgg)
    theta = dict(new_net().named_parameters())
    norm = {n for n, _ in new_net().norm_parameters()}
    phis = dict(phi.named_parameters())
    for name, p in result.net.named_parameters():
        expected = theta[name] + 0.5 * (phis[name] - theta[name]) if name in norm else theta[name]
        torch.testing.assert_close(p, expected, rtol=1e-6, atol=1e-7)
    assert any(not torch.equal(phis[n], theta[n]) for n in norm)


def test_maml_gradient_matches_finite_differences(vgg):
    content, styles, _ = data()
    cfg = tiny_cfg(algorithm="maml", inner_steps=2, inner_lr=0.05)
    task = sampler(styles, content).task(0)
    task.style, task.query = task.style.double(), task.query.double()
    task.frames = [f.double() for f in task.frames]
    vgg64 = copy.deepcopy(vgg).double()
    net = new_net().double()
    grads, stats = maml_step(net, [task], cfg, vgg64, 1)
    # The post-adaptation loss equals K plain SGD steps on the crops adapt would draw.
    ref = copy.deepcopy(net)
    sgd = torch.optim.SGD(ref.parameters(), lr=cfg.inner_lr)
    targets = style_targets(vgg64, task.style, LOSS)
    for step in (1, 2):
        crop = random_crop(task.frames, SIZE, torch.Generator().manual_seed(task.seed * 1_000_003 + step))
        sgd.zero_grad()
        perceptual_loss(vgg64, ref(crop), crop, targets, LOSS)["total"].backward()
        sgd.step()
    assert stats["post"] == pytest.approx(float(query_loss(ref, task, targets, vgg64, LOSS).detach()), rel=1e-9)
    # Directional derivative of theta -> post-adaptation loss by central differences. ReLU and
    # max-pool kinks are everywhere in so tiny a network: h must be tiny too (float64).
    direction = [torch.randn(p.shape, generator=torch.Generator().manual_seed(i), dtype=p.dtype)
                 for i, p in enumerate(net.parameters())]
    h = 1e-8

    def post(sign: float) -> float:
        moved = copy.deepcopy(net)
        with torch.no_grad():
            for p, d in zip(moved.parameters(), direction):
                p.add_(sign * h * d)
        return maml_step(moved, [task], cfg, vgg64, 1)[1]["post"]

    numeric = (post(1.0) - post(-1.0)) / (2 * h)
    analytic = sum(float((g * d).sum()) for g, d in zip(grads, direction))
    assert analytic == pytest.approx(numeric, rel=1e-5)
    # ... while the first-order approximation (the query gradient at phi_K) misses it.
    at_phi = torch.autograd.grad(query_loss(ref, task, targets, vgg64, LOSS), list(ref.parameters()))
    first_order = sum(float((g * d).sum()) for g, d in zip(at_phi, direction))
    assert abs(first_order - numeric) > 0.05 * abs(numeric)


def test_es_gradient_points_downhill_on_a_quadratic():
    target = torch.linspace(-1, 1, 20)
    theta = [torch.zeros(20)]

    def fitness(i: int, params: list[torch.Tensor]) -> float:
        return -float((params[0] - target).pow(2).sum())

    grad, scores = es_gradient(fitness, theta, sigma=0.1, pairs=200, gen=torch.Generator().manual_seed(0))
    assert len(scores) == 400
    cosine = torch.nn.functional.cosine_similarity(grad[0], target - theta[0], dim=0)
    assert cosine > 0.8
    step = theta[0] + 0.1 * grad[0] / grad[0].norm()
    assert (step - target).norm() < (theta[0] - target).norm()


# --- meta-training ----------------------------------------------------------------------------

def test_meta_training_lowers_heldout_loss_after_adaptation(vgg):
    content, styles, held = data()
    cfg = tiny_cfg(algorithm="reptile", iterations=3, meta_batch=2, inner_steps=2, outer_lr=0.5)
    result = meta_train(cfg, sampler(styles, content), sampler(held, content, seed=9).fixed_tasks(), net=new_net(), vgg=vgg)
    first, last = result.evals[0], result.evals[-1]
    assert first["iteration"] == 0 and last["iteration"] == 3
    assert last["eval_post"] < 0.8 * first["eval_post"]


@pytest.mark.parametrize("algorithm", ["reptile", "fomaml", "maml", "es"])
def test_every_algorithm_runs_and_writes_an_init_look(vgg, tmp_path, algorithm):
    content, styles, held = data()
    cfg = tiny_cfg(algorithm=algorithm, params="norm")
    log = tmp_path / "run.jsonl"
    result = meta_train(cfg, sampler(styles, content, grade_prob=0.5), sampler(held[:1], content).fixed_tasks(),
                        net=new_net(), vgg=vgg, log_path=log)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["iteration"] for r in lines] == [0, 1] and lines[1]["algorithm"] == algorithm
    assert all(np.isfinite(lines[1][k]) for k in ("pre", "post", "seconds", "eval_post"))
    assert any(not torch.equal(p, q) for p, q in zip(result.net.parameters(), new_net().parameters()))
    look = load_look(result.look().save(tmp_path / "init.look"))
    assert look.kind == look.meta["kind"] == "init" and look.meta["algorithm"] == algorithm


def test_resume_after_interrupt_equals_uninterrupted_run(vgg, tmp_path):
    content, styles, held = data()
    cfg = tiny_cfg(algorithm="fomaml", iterations=3, outer_lr=1e-2, checkpoint_every=100)
    tasks = sampler(held[:1], content).fixed_tasks()
    whole = meta_train(cfg, sampler(styles, content), tasks, net=new_net(), vgg=vgg)

    def stop_at_2(record: dict) -> None:
        if record["iteration"] == 2:
            raise KeyboardInterrupt

    ckpt, log = tmp_path / "init.look.ckpt", tmp_path / "run.jsonl"
    with pytest.raises(KeyboardInterrupt):
        meta_train(cfg, sampler(styles, content), tasks, net=new_net(), vgg=vgg, checkpoint=ckpt, log_path=log,
                   on_iteration=stop_at_2)
    resumed = meta_train(cfg, sampler(styles, content), tasks, net=new_net(), vgg=vgg, checkpoint=ckpt, log_path=log,
                         resume=True)
    assert resumed.resumed_from == 2
    for p, q in zip(resumed.net.state_dict().values(), whole.net.state_dict().values()):
        assert torch.equal(p, q)
    assert [json.loads(line)["iteration"] for line in log.read_text().splitlines()] == [0, 1, 2, 3]
    assert resumed.evals == whole.evals
    other = meta_train(tiny_cfg(algorithm="fomaml", iterations=1, inner_lr=2e-2), sampler(styles, content), tasks,
                       net=new_net(), vgg=vgg, checkpoint=ckpt, resume=True)
    assert other.resumed_from == 0  # another run's checkpoint is not used


def test_stop_after_writes_the_iterations_done_and_resume_finishes_the_run(vgg, tmp_path):
    content, styles, held = data()
    cfg = tiny_cfg(algorithm="reptile", iterations=3, outer_lr=0.5, checkpoint_every=100)
    tasks = sampler(held[:1], content).fixed_tasks()
    whole = meta_train(cfg, sampler(styles, content), tasks, net=new_net(), vgg=vgg)
    ckpt = tmp_path / "init.look.ckpt"
    part = meta_train(cfg, sampler(styles, content), tasks, net=new_net(), vgg=vgg, checkpoint=ckpt, stop_after=1e-9)
    assert part.iterations == 1 and part.look().meta["iterations"] == 1
    assert [e["iteration"] for e in part.evals] == [0, 1]  # where it stopped, evaluated
    rest = meta_train(cfg, sampler(styles, content), tasks, net=new_net(), vgg=vgg, checkpoint=ckpt, resume=True)
    assert rest.resumed_from == 1 and rest.iterations == 3
    for p, q in zip(rest.net.state_dict().values(), whole.net.state_dict().values()):
        assert torch.equal(p, q)


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None, reason="matplotlib not installed")
def test_plot_curves_writes_a_png(tmp_path):
    spec = importlib.util.spec_from_file_location("meta_curves", Path(__file__).parents[1] / "benchmarks" / "meta_curves.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    log = tmp_path / "run.jsonl"
    log.write_text("".join(json.dumps(r) + "\n" for r in [{"iteration": 0, "eval_pre": 1.0, "eval_post": 0.5}]
                           + [{"iteration": i, "pre": 1.0 / i, "post": 0.5 / i, "seconds": 1.0} for i in range(1, 30)]
                           + [{"iteration": 30, "pre": 0.1, "post": 0.05, "seconds": 1.0, "eval_pre": 0.2, "eval_post": 0.1}]))
    png = module.plot_curves(log, tmp_path / "curves.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _image_folders(root):  # noqa: ANN001, ANN202
    """Two styles and three content photos of noise under ``root``/styles and ``root``/content."""
    rng = np.random.default_rng(0)
    for rel in ("styles/a.png", "styles/b.png", "content/c1.jpg", "content/c2.jpg", "content/c3.jpg"):
        (root / rel).parent.mkdir(exist_ok=True)
        Image.fromarray((rng.random((64, 80, 3)) * 255).astype(np.uint8)).save(root / rel)


def test_cli_meta_train_writes_an_init_that_adapt_accepts(tmp_path, capsys):
    _image_folders(tmp_path)
    out = tmp_path / "init.look"
    args = ["-q", "meta-train", "-o", str(out), "--styles", str(tmp_path / "styles"), "--content", str(tmp_path / "content"),
            "--iterations", "1", "--inner-steps", "1", "--meta-batch", "1", "--size", "64", "--params", "norm",
            "--width", "2", "--depth", "1", "--end-kernel", "3", "--decoder", "2", "1"]
    assert main(args) == 0
    assert "wrote" in capsys.readouterr().out
    assert load_look(out).kind == "init" and (tmp_path / "init.jsonl").exists()
    assert load_look(out).net.config == {"width": 2, "depth": 1, "end_kernel": 3, "decoder": [2, 1]}
    assert (tmp_path / "init.look.ckpt").exists()
    assert main(["-q", "adapt", str(tmp_path / "styles/a.png"), "-o", str(tmp_path / "a.look"), "--init", str(out),
                 "--content", str(tmp_path / "content"), "--steps", "1", "--size", "64", "--frames", "1"]) == 0
    more = [a if a != "1" or args[i - 1] != "--iterations" else "3" for i, a in enumerate(args)]
    assert main([*more, "--resume", "--stop-after", "0.001"]) == 0  # 1 more iteration, then out of time
    assert "2 of 3 iterations (stopped by --stop-after" in capsys.readouterr().out and load_look(out).meta["iterations"] == 2
    assert main([*more, "--stop-after", "0"]) == 2
    assert "--stop-after must be above 0" in capsys.readouterr().err


def test_cli_meta_train_without_data_folders_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FILMSTYLE_SHARED", str(tmp_path / "no-shared"))
    assert main(["meta-train", "-o", "init.look"]) == 2
    err = capsys.readouterr().err
    assert "--styles" in err and len(err.strip().splitlines()) == 1
    assert main(["meta-train", "-o", "init.look", "--styles", ".", "--content", ".", "--iterations", "0"]) == 2


def test_eval_lr_sets_the_evaluation_step_size_only(vgg):
    from filmstyle.training.meta import evaluate

    content, _, held = data()
    tasks = sampler(held, content, seed=5).fixed_tasks()
    net = new_net()
    with_eval_lr = evaluate(net, tasks, tiny_cfg(inner_lr=1e-1, eval_lr=1e-3, inner_steps=2), vgg)
    plain = evaluate(net, tasks, tiny_cfg(inner_lr=1e-3, inner_steps=2), vgg)
    other = evaluate(net, tasks, tiny_cfg(inner_lr=1e-1, inner_steps=2), vgg)
    assert with_eval_lr == plain and with_eval_lr["eval_post"] != other["eval_post"]


def test_tasks_show_their_grade_composite_to_the_inner_loop_and_the_query(vgg, monkeypatch):
    """meta-train --tone grade: the inner loop adapts, and the query scores, what render --tone grade shows."""
    from filmstyle.adaptation import task_composite
    from filmstyle.training import meta as meta_module
    from filmstyle.training.adapt import Composite

    content, styles, held = data()
    shown = task_composite(4.0)
    graded = sampler(styles, content)
    graded.shown = shown
    task = graded.task(0)
    assert isinstance(task.shown, Composite)
    # the composite's base is the task's grade: a constant network output leaves the graded frame
    flat = task.shown(task.query, torch.full_like(task.query, 0.5))
    assert flat.shape == task.query.shape and not torch.allclose(flat, task.query)
    seen = []
    real = meta_module.adapt

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        seen.append(kwargs.get("composite"))
        return real(*args, **kwargs)

    monkeypatch.setattr(meta_module, "adapt", spy)
    cfg = tiny_cfg(algorithm="reptile", iterations=1, meta_batch=1, inner_steps=1, tone="grade")
    targets = meta_module.style_targets(vgg, task.style, cfg.loss)
    plain = meta_module.Task(task.style, task.frames, task.query, task.seed, task.name)
    net = new_net()
    with torch.no_grad():
        assert float(meta_module.query_loss(net, task, targets, vgg, cfg.loss)) != pytest.approx(
            float(meta_module.query_loss(net, plain, targets, vgg, cfg.loss)))
    result = meta_train(cfg, graded, [task], net=net, vgg=vgg)
    assert seen and all(c is not None for c in seen) and np.isfinite(result.evals[-1]["eval_post"])


def test_cli_meta_train_tone_grade_runs_and_records_it(tmp_path, capsys):
    _image_folders(tmp_path)
    out = tmp_path / "init.look"
    args = ["-q", "meta-train", "-o", str(out), "--styles", str(tmp_path / "styles"), "--content", str(tmp_path / "content"),
            "--iterations", "1", "--inner-steps", "1", "--meta-batch", "1", "--size", "64", "--width", "2", "--depth", "1"]
    assert main([*args, "--tone", "grade"]) == 0
    look = load_look(out)
    assert look.meta["config"]["tone"] == "grade" and look.meta["config"]["detail_sigma"] == 4.0
    assert main([*args, "--tone", "sepia"]) == 2
    assert "invalid choice" in capsys.readouterr().err
