def load(demo):
    pass
