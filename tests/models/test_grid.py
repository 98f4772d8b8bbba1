import pytest
import torch

from digitkit.export.onnx_export import fold_batchnorm
from digitkit.models import create_model
from digitkit.models.grid import GridConv2d, bake, channel_scales, grid_levels, on_grid, weight_bits


def test_four_bit_weights_take_at_most_15_values_a_channel_and_keep_each_channels_largest():
    weight = torch.randn(6, 3, 3, 3)
    rounded = on_grid(weight, 4)
    for channel, original in zip(rounded, weight, strict=True):
        assert len(torch.unique(channel)) <= 15
        top = original.abs().argmax()
        assert torch.isclose(channel.flatten()[top], original.flatten()[top])  # the top weight is code +-7
    codes = rounded / channel_scales(weight, 4)
    assert torch.allclose(codes, codes.round(), atol=1e-4) and codes.abs().max() < grid_levels(4) + 1e-4


def test_the_gradient_passes_straight_through_the_rounding():
    weight = torch.randn(4, 2, 3, 3, requires_grad=True)
    (on_grid(weight, 4) * 3).sum().backward()
    assert weight.grad is not None and torch.equal(weight.grad, torch.full_like(weight, 3.0))


def test_a_grid_model_trains_on_rounded_weights_and_folding_batchnorm_keeps_it_on_the_grid():
    model = create_model("convnet_micro4")
    assert weight_bits(model) == 4 and weight_bits(create_model("convnet_default")) == 0
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):  # folding multiplies each channel by its own factor
            module.running_var.uniform_(0.3, 3)
            module.weight.data.uniform_(-2, 2)
    model.eval()
    x = torch.rand(5, 1, 28, 28)
    with torch.no_grad():
        expected = model(x)
        plain = fold_batchnorm(bake(model))
    assert weight_bits(plain) == 0
    assert torch.allclose(plain(x), expected, atol=1e-4)
    for module in plain.modules():
        if isinstance(module, GridConv2d):
            codes = module.weight / channel_scales(module.weight, 4)
            assert torch.allclose(codes, codes.round(), atol=1e-3)


def test_one_model_has_one_grid():
    model = create_model("convnet_micro4")
    model.classifier.bits = 2
    with pytest.raises(ValueError, match="different grids"):
        weight_bits(model)
