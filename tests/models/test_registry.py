import pytest
import torch

from digitkit.errors import UnknownNameError
from digitkit.models import create_model, list_models
from digitkit.models.registry import count_parameters


@pytest.mark.parametrize("name", list_models())
def test_every_registered_model_maps_images_to_its_classes(name):
    model = create_model(name).eval()
    classes = 2 if name.startswith("detector") else 10  # the detector answers digit / not a digit
    assert model(torch.rand(3, 1, 28, 28)).shape == (3, classes)


def test_sizes_fit_their_artifact_budgets():
    assert count_parameters(create_model("convnet_tiny")) <= 20_000  # tiny <= 20 KB at int8
    assert count_parameters(create_model("convnet_default")) <= 140_000  # default < 150 KB at int8
    assert count_parameters(create_model("convnet_micro4")) <= 17_000  # tiny <= 11 KB at two weights a byte


def test_unknown_architecture_lists_the_known_ones():
    with pytest.raises(UnknownNameError) as info:
        create_model("resnet9000")
    assert "convnet_default" in str(info.value) and "resnet9000" in str(info.value)
