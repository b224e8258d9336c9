"""The generated plan of the seed program's training step shown in docs/architecture.md and
docs/performance.md is the one the code generates today (docs/gen_seed_plan.py)."""

import importlib.util
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("gen_seed_plan", ROOT / "docs/gen_seed_plan.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("page", ["docs/architecture.md", "docs/performance.md"])
def test_docs_show_the_seed_plan_the_code_generates(gen, page):
    text = (ROOT / page).read_text()
    assert gen.MARKER.search(text), f"{page} has no generated seed-plan block"
    fresh = gen.render(page, text, gen.seed_plan_source())
    assert fresh == text, (f"The plan shown in {page} is out of date. Fix: run "
                           "`python docs/gen_seed_plan.py` and commit the page.")


def test_seed_plan_names_values_after_their_ops(gen):
    source = gen.seed_plan_source()
    assert "def run(ctx, F):" in source
    assert "    x = F[0]  # fed: x:0" in source
    assert "gradients_MatMul_grad_MatMul_1 = MatMul_2(x, gradients_Square_grad_mul_1)" in source
    assert "# MatMul_2 = MatMul kernel with transpose_a=True, transpose_b=False" in source
    assert "  # Adam/update_model/kernel/ApplyAdam" in source
