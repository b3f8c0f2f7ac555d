"""Reading and writing training checkpoints on any device: a checkpoint a GPU run saved
resumes, exports and renders on a machine without one, and the other way round."""
import torch


def load_checkpoint_file(path):
    """A checkpoint's dict, its tensors on the CPU whichever device saved it (a GPU run's
    checkpoint resumes here and the other way round)."""
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except TypeError:  # torch without weights_only
        return torch.load(path, map_location="cpu")


def trained_slots(trainable, styles):
    """The style slots a run trains: every one for 'all', else those '[shared+]slots:i,j' names."""
    if trainable == "all":
        return list(range(styles))
    return [int(s) for s in trainable.split(":")[1].split(",")]


def to_cpu(obj):
    """Tensors anywhere in dicts/lists moved to the CPU (optimiser state of a GPU run)."""
    if torch.is_tensor(obj):
        return obj.detach().cpu()
    if isinstance(obj, dict):
        return {k: to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_cpu(v) for v in obj)
    return obj
