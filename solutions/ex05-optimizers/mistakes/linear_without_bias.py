# fails: linear_model
# partial: LinearModel

class LinearModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1, bias=False)  # MISTAKE: no b
