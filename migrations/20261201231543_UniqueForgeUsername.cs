using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComposeGate.Migrations
{
    /// <summary>
    /// A GitLab user name now belongs to one account, ignoring case. Earlier releases did not check, so an
    /// installation may hold duplicates: the oldest account keeps the name, every later one loses it (an audit event
    /// "user.forge-username-cleared" names each), and an admin or the person sets a name of their own again.
    /// SQLite's upper() folds ASCII only, as GitLab user names are.
    /// </summary>
    public partial class UniqueForgeUsername : Migration
    {
        private const string HasOlderNamesake = """
            "ForgeUsername" IS NOT NULL AND EXISTS (
                SELECT 1 FROM "AspNetUsers" AS "older"
                WHERE upper("older"."ForgeUsername") = upper("AspNetUsers"."ForgeUsername")
                  AND ("older"."CreatedAt" < "AspNetUsers"."CreatedAt"
                       OR ("older"."CreatedAt" = "AspNetUsers"."CreatedAt" AND "older"."Id" < "AspNetUsers"."Id")))
            """;

        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "NormalizedForgeUsername",
                table: "AspNetUsers",
                type: "TEXT",
                nullable: true);

            // Times are UTC ticks (0001-01-01 based); strftime('%s') counts seconds from 1970.
            migrationBuilder.Sql($"""
                INSERT INTO "AuditEvents" ("At", "Actor", "Kind", "Summary")
                SELECT CAST(strftime('%s', 'now') AS INTEGER) * 10000000 + 621355968000000000, 'system', 'user.forge-username-cleared',
                       'Cleared the GitLab user name ''' || "ForgeUsername" || ''' of ''' || "UserName" || ''': an older account has it'
                FROM "AspNetUsers" WHERE {HasOlderNamesake};
                """);
            migrationBuilder.Sql($"""UPDATE "AspNetUsers" SET "ForgeUsername" = NULL WHERE {HasOlderNamesake};""");
            migrationBuilder.Sql("""UPDATE "AspNetUsers" SET "NormalizedForgeUsername" = upper("ForgeUsername") WHERE "ForgeUsername" IS NOT NULL;""");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUsers_NormalizedForgeUsername",
                table: "AspNetUsers",
                column: "NormalizedForgeUsername",
                unique: true,
                filter: "\"NormalizedForgeUsername\" IS NOT NULL");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AspNetUsers_NormalizedForgeUsername",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "NormalizedForgeUsername",
                table: "AspNetUsers");
        }
    }
}
