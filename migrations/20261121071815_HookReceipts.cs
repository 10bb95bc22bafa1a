using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComposeGate.Migrations
{
    public partial class HookReceipts : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "HookReceipts",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", nullable: false),
                    Event = table.Column<string>(type: "TEXT", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_HookReceipts", x => x.Key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_HookReceipts_ReceivedAt",
                table: "HookReceipts",
                column: "ReceivedAt");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "HookReceipts");
        }
    }
}
