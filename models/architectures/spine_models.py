"""Network definitions for SpineLens, written for TorchScript export.

Contract (models/README.md, "Contract"): forward(x) returns logits [N, K] and equals
classify(features(x)); both are exported methods, and features ends at the layer Grad-CAM
explains (the last convolutional block, after its activation).
"""
import torch
import torch.nn as nn
import torchvision


class LumbarMriCnn(nn.Module):
    """The lumbar MRI study's custom CNN: three 3x3 convolutions of 32, 64 and 128 filters,
    each with ReLU and 2x2 max-pooling, then flatten, dense 128 with ReLU, dropout 0.5 and one
    sigmoid output (the logit here; the card says sigmoid). Input: 1 x 224 x 224 in [0, 1].
    Keras's default "valid" padding, as in the study's code style: 224 -> 222 -> 111 -> 109
    -> 54 -> 52 -> 26. L2 0.001 on the conv kernels is a training-time penalty (trainer)."""

    def __init__(self, height: int = 224, width: int = 224):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.conv3 = nn.Conv2d(64, 128, 3)
        self.pool = nn.MaxPool2d(2)
        h, w = height, width
        for _ in range(3):
            h, w = (h - 2) // 2, (w - 2) // 2
        self.fc1 = nn.Linear(128 * h * w, 128)
        self.dropout = nn.Dropout(0.5)
        self.fc2 = nn.Linear(128, 1)

    @torch.jit.export
    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        return torch.relu(self.conv3(x))  # Grad-CAM layer: 128 x 52 x 52 for 224 input

    @torch.jit.export
    def classify(self, f: torch.Tensor) -> torch.Tensor:
        x = torch.flatten(self.pool(f), 1)
        x = self.dropout(torch.relu(self.fc1(x)))
        return self.fc2(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classify(self.features(x))


class ResNetClassifier(nn.Module):
    """torchvision's ResNet-18 or ResNet-50 (no pretrained weights exist here) with the
    features/classify split after layer4."""

    def __init__(self, depth: int, classes: int):
        super().__init__()
        net = {18: torchvision.models.resnet18, 50: torchvision.models.resnet50}[depth](
            weights=None, num_classes=classes)
        self.stem = nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool)
        self.layer1, self.layer2, self.layer3, self.layer4 = net.layer1, net.layer2, net.layer3, net.layer4
        self.avgpool = net.avgpool
        self.fc = net.fc

    @torch.jit.export
    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))

    @torch.jit.export
    def classify(self, f: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.avgpool(f), 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classify(self.features(x))
