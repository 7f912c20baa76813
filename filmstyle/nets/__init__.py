"""Networks: the image transform network f_w and the VGG19 loss network."""
from filmstyle.nets.transformer import TransformerNet
from filmstyle.nets.vgg import VGG19Features, load_vgg19

__all__ = ["TransformerNet", "VGG19Features", "load_vgg19"]
