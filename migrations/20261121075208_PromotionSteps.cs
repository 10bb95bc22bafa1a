using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComposeGate.Migrations
{
    public partial class PromotionSteps : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Settings",
                table: "PromotionSteps",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CancelRequestedBy",
                table: "PromotionAttempts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "IssueUrl",
                table: "PromotionAttempts",
                type: "TEXT",
                nullable: true);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Settings",
                table: "PromotionSteps");

            migrationBuilder.DropColumn(
                name: "CancelRequestedBy",
                table: "PromotionAttempts");

            migrationBuilder.DropColumn(
                name: "IssueUrl",
                table: "PromotionAttempts");
        }
    }
}
