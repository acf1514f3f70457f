using Webhooks.Dispatcher;

var builder = WebApplication.CreateBuilder(args);
builder.AddDispatcher();

var app = builder.Build();
app.MapDispatcher();
await app.RunAsync();
