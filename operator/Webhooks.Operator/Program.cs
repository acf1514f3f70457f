using Webhooks.Operator;

var builder = WebApplication.CreateBuilder(args);
builder.AddOperator();

var app = builder.Build();
app.MapOperator();
await app.RunAsync();
