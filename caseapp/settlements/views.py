def register(app, appbuilder):
    pass
