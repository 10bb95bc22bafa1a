using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComposeGate.Migrations
{
    /// <inheritdoc />
    public partial class PromotionJobId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "JobId",
                table: "PromotionAttempts",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "JobId",
                table: "PromotionAttempts");
        }
    }
}
