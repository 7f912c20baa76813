import pytest
import torch

from filmstyle.core.image import blend, preserve_color, rgb_to_ycbcr, ycbcr_to_rgb


def test_ycbcr_round_trip_and_grey_has_no_chroma():
    img = torch.rand(2, 3, 5, 4)
    torch.testing.assert_close(ycbcr_to_rgb(rgb_to_ycbcr(img)), img)
    grey = torch.full((1, 3, 2, 2), 0.4)
    ycc = rgb_to_ycbcr(grey)
    torch.testing.assert_close(ycc[:, 0], torch.full((1, 2, 2), 0.4))
    assert ycc[:, 1:].abs().max() < 1e-6


def test_preserve_color_keeps_source_chroma_and_stylised_luma():
    src, sty = torch.rand(1, 3, 4, 4), torch.rand(1, 3, 4, 4)
    out = rgb_to_ycbcr(preserve_color(sty, src))
    torch.testing.assert_close(out[:, 0], rgb_to_ycbcr(sty)[:, 0])
    torch.testing.assert_close(out[:, 1:], rgb_to_ycbcr(src)[:, 1:])


def test_blend_endpoints_and_range():
    a, b = torch.rand(1, 3, 2, 2), torch.rand(1, 3, 2, 2)
    assert torch.equal(blend(a, b, 0.0), b)
    assert torch.equal(blend(a, b, 1.0), a)
    torch.testing.assert_close(blend(a, b, 0.25), 0.25 * a + 0.75 * b)
    with pytest.raises(ValueError):
        blend(a, b, 1.5)
