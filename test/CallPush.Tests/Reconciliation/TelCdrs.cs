using System.Text.Json.Nodes;

namespace CallPush.Tests.Reconciliation;

/// <summary>One call as the platform pushes it and as DescribeTelCdr lists it (a superset with a few names of its own).</summary>
public static class TelCdrs
{
    public const long SdkAppId = 1400482256;

    public static JsonObject Push(string sessionId, long startedAt, long endedAt, long sdkAppId = SdkAppId, string agent = "zhangsan@example.com") => new()
    {
        ["SdkAppId"] = sdkAppId,
        ["SessionId"] = sessionId,
        ["Caller"] = "008613800000001",
        ["Callee"] = "0086400000666",
        ["Direction"] = 0,
        ["Duration"] = endedAt - startedAt - 10,
        ["SeatUser"] = new JsonObject
        {
            ["Mail"] = agent,
            ["Name"] = "Zhang San",
            ["Nick"] = "zs",
            ["UserId"] = agent,
            ["StaffNumber"] = "8546",
            ["SkillGroupNameList"] = new JsonArray("Support"),
        },
        ["CallerLocation"] = "Shenzhen",
        ["IVRDuration"] = 5,
        ["StartTimestamp"] = startedAt,
        ["QueuedTimestamp"] = startedAt + 5,
        ["RingTimestamp"] = startedAt + 8,
        ["AcceptTimestamp"] = startedAt + 10,
        ["EndedTimestamp"] = endedAt,
        ["IVRKeyPressedEx"] = new JsonArray(new JsonObject { ["Key"] = "1", ["Label"] = "Sales" }),
        ["HungUpSide"] = "user",
        ["ServeParticipants"] = new JsonArray(new JsonObject
        {
            ["Mail"] = agent,
            ["Phone"] = "",
            ["StartTimestamp"] = startedAt + 8,
            ["RingTimestamp"] = startedAt + 8,
            ["AcceptTimestamp"] = startedAt + 10,
            ["EndedTimestamp"] = endedAt,
            ["RecordId"] = "rec-" + sessionId,
            ["Type"] = "staffSeat",
            ["SkillGroupId"] = 2734,
            ["SkillGroupName"] = "Support",
            ["EndStatusString"] = "ok",
            ["Sequence"] = 0,
        }),
        ["EndStatusString"] = "ok",
        ["PostIVRKeyPressed"] = new JsonArray(new JsonObject { ["Key"] = "5", ["Label"] = "Very satisfied" }),
        ["QueuedSkillGroupId"] = 2734,
        ["QueuedSkillGroupName"] = "Support",
        ["RecordId"] = "user-rec-" + sessionId,
        ["UserRemark"] = "vip",
        ["Uui"] = "order-42",
    };

    /// <summary>The same call as a TelCdrInfo of DescribeTelCdr.</summary>
    public static JsonObject TelCdrOf(JsonObject push)
    {
        var cdr = push.DeepClone().AsObject();
        cdr.Remove("SdkAppId");
        Move(cdr, "Uui", "UUI");
        Move(cdr, "UserRemark", "Remark");
        Move(cdr, "PostIVRKeyPressed", "PostIVRKeyPressedEx");
        cdr["Time"] = (long)push["StartTimestamp"]!;
        cdr["EndStatus"] = 1;
        cdr["SkillGroup"] = "Support";
        cdr["SkillGroupId"] = 2734;
        cdr["AsrStatus"] = "NotExists";
        cdr["RecordURL"] = $"https://ccc-recordings.example.invalid/{push["SessionId"]}/user.mp3";
        return cdr;
    }

    public static JsonObject TelCdr(string sessionId, long startedAt, long endedAt) => TelCdrOf(Push(sessionId, startedAt, endedAt));

    private static void Move(JsonObject cdr, string from, string to)
    {
        var value = cdr[from]?.DeepClone();
        cdr.Remove(from);
        cdr[to] = value;
    }
}
