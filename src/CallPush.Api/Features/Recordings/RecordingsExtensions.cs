namespace CallPush.Api.Features.Recordings;

internal static class RecordingsExtensions
{
    public static WebApplicationBuilder AddRecordings(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RecordingsOptions>().BindConfiguration(RecordingsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IRecordingStorage, FileSystemRecordingStorage>();
        builder.Services.AddSingleton<RecordingAccessLog>();
        return builder;
    }
}
