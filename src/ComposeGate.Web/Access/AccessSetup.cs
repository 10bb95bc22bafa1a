using ComposeGate.Access;
using ComposeGate.Data;
using ComposeGate.Web.Components.Account;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;

namespace ComposeGate.Web.Access;

/// <summary>Identity for people (cookies), hashed bearer tokens for bots, and role policies for both.</summary>
internal static class AccessSetup
{
    public const string ApiOrCookieScheme = "ApiOrCookie";

    public static WebApplicationBuilder AddAccess(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = ApiOrCookieScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddPolicyScheme(ApiOrCookieScheme, "Bearer token or sign-in cookie", options =>
                options.ForwardDefaultSelector = context => ApiTokenAuthenticationHandler.HasBearer(context.Request)
                    ? ApiTokenAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "ComposeGate.Session";
            cookie.LoginPath = "/Account/Login";
            cookie.AccessDeniedPath = "/Account/AccessDenied";
            cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
            cookie.SlidingExpiration = true;
        });
        // Role changes reach open sessions, and disabled accounts lose theirs, within a minute.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddIdentityCore<ApplicationUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = false;
                options.User.RequireUniqueEmail = false;
                options.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@";
                options.Password.RequiredLength = 8;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.MaxFailedAccessAttempts = 10;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                options.Stores.SchemaVersion = AppDbContext.IdentitySchema;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager<ComposeGateSignInManager>()
            .AddUserValidator<ForgeUsernameValidator>()
            .AddDefaultTokenProviders();

        services.AddSignInRateLimit(builder.Configuration);
        services.Configure<IdentityPasskeyOptions>(passkeys =>
        {
            // Passkey sign-in never names an account (that would tell which accounts exist and hold passkeys), so the
            // authenticator must find the passkey by itself: only discoverable, user-verified passkeys are made.
            passkeys.ResidentKeyRequirement = "required";
            passkeys.UserVerificationRequirement = "required";
        });
        services.AddScoped<AccountAudit>();
        services.AddScoped<AccountPasskeys>();

        services.AddAuthorization(AccessPolicies.Add);
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiAuthorizationResultHandler>();
        services.AddScoped<AccessBootstrap>();
        services.AddSingleton<ApiTokenCache>();
        return builder;
    }

    /// <summary>Before authentication, so a flood of sign-in attempts is turned away without any work.</summary>
    public static IApplicationBuilder UseSignInRateLimit(this IApplicationBuilder app) => app.UseRateLimiter();

    /// <summary>After authentication (it needs to know how the request was authenticated), before the endpoints.</summary>
    public static IApplicationBuilder UseApiOriginCheck(this IApplicationBuilder app) => app.UseMiddleware<ApiOriginCheck>();
}
