// Why this exists: the HTTP API is built from schema.json's routes — the same table the local
// stack's gateway serves — so a route cannot exist in one and not the other. Every route runs the
// `auth-middleware` Lambda authorizer first unless the schema marks it public (only health is),
// and the authorizer is the default, so a route added without a decision is closed, not open.
// The console's Cognito app client lives here too: the authorizer accepts exactly its tokens.

import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CfnRoute,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ClientAttributes, UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Tenancy } from '../config';
import { AUTHORIZER_FUNCTION, type RouteDef } from '../schema';
import type { Functions } from './functions';
import { API_INTEGRATION_TIMEOUT } from './rust-function';

/** How long API Gateway reuses an authorizer answer for the same Authorization header. */
export const AUTHORIZER_CACHE_TTL = Duration.minutes(1);

/** Stage-wide throttle: well above what operators and bulk imports need, below a runaway bill. */
export const API_THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;

export interface ApiProps {
  readonly routes: readonly RouteDef[];
  readonly functions: Functions;
  readonly resourcePrefix: string;
  /** The existing Cognito user pool whose ID tokens are accepted. */
  readonly userPoolId: string;
  /** `TENANCY` of the authorizer, with `DEFAULT_TENANT_ID` in single mode only. */
  readonly tenancy: Tenancy;
  /** App clients created elsewhere whose tokens are accepted too. */
  readonly extraAppClientIds: readonly string[];
  /** Where access logs go (the shared log group). */
  readonly accessLogGroup: ILogGroup;
}

export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly consoleClient: UserPoolClient;
  /** `abc123.execute-api.us-east-1.amazonaws.com`, the origin CloudFront forwards `/api/*` to. */
  readonly originDomainName: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const stack = Stack.of(this);

    const userPool = UserPool.fromUserPoolId(this, 'UserPool', props.userPoolId);
    this.consoleClient = userPool.addClient('ConsoleClient', {
      userPoolClientName: `${props.resourcePrefix}console`,
      generateSecret: false,
      // The console signs in with the Cognito API (USER_PASSWORD_AUTH), not the hosted UI.
      disableOAuth: true,
      // The SPA signs in with USER_PASSWORD_AUTH; CDK adds ALLOW_REFRESH_TOKEN_AUTH with it.
      authFlows: { userPassword: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new ClientAttributes().withStandardAttributes({ email: true }).withCustomAttributes('tenant_id'),
      // Users must never change their own tenant (or e-mail): the client may write no attribute.
      writeAttributes: new ClientAttributes(),
    });

    const authorizerFunction = props.functions.get(AUTHORIZER_FUNCTION);
    const poolRegion = props.userPoolId.split('_')[0] ?? stack.region;
    const issuer = `https://cognito-idp.${poolRegion}.amazonaws.com/${props.userPoolId}`;
    authorizerFunction.addEnvironment('COGNITO_ISSUER', issuer);
    authorizerFunction.addEnvironment('JWKS_URL', `${issuer}/.well-known/jwks.json`);
    authorizerFunction.addEnvironment('COGNITO_CLIENT_IDS', [this.consoleClient.userPoolClientId, ...props.extraAppClientIds].join(','));
    // The tenant comes only from the verified token; a default exists only when the deployment
    // is single-tenant, and only the authorizer is told it (no other function may guess a tenant).
    authorizerFunction.addEnvironment('TENANCY', props.tenancy.mode);
    if (props.tenancy.mode === 'single') authorizerFunction.addEnvironment('DEFAULT_TENANT_ID', props.tenancy.defaultTenantId);

    const authorizer = new HttpLambdaAuthorizer('CognitoAuthorizer', authorizerFunction, {
      authorizerName: `${props.resourcePrefix}auth-middleware`,
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: AUTHORIZER_CACHE_TTL,
    });

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `${props.resourcePrefix}api`,
      description: 'WECARE.DIGITAL API, served under /api behind the console\'s CloudFront distribution',
      defaultAuthorizer: authorizer,
      createDefaultStage: false,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(props.accessLogGroup),
        format: AccessLogFormat.custom(
          JSON.stringify({
            type: 'api-access',
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });

    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationOf = (name: string): HttpLambdaIntegration => {
      let integration = integrations.get(name);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${name}-integration`, props.functions.get(name));
        integrations.set(name, integration);
      }
      return integration;
    };
    for (const route of props.routes) {
      // A function that may run longer than the gateway waits would answer nobody: only a
      // function no route serves (a queue consumer) may be given a longer timeout.
      const timeout = props.functions.timeoutOf(route.function);
      if (timeout.toSeconds() > API_INTEGRATION_TIMEOUT.toSeconds()) {
        throw new Error(
          `${route.method} ${route.path} is served by ${route.function}, whose timeout (${timeout.toHumanString()}) outlasts API Gateway's ${API_INTEGRATION_TIMEOUT.toHumanString()}; a function a route serves must keep FUNCTION_TIMEOUT`,
        );
      }
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationOf(route.function),
        ...(route.authorized ? {} : { authorizer: new HttpNoneAuthorizer() }),
      });
      if (!route.authorized && httpRoute) {
        const cfnRoute = httpRoute.node.defaultChild as CfnRoute;
        Validations.of(cfnRoute).acknowledge({
          id: 'AwsSolutions::AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is public by design in the shared route table (crates/core/src/routes.rs): it is the liveness check and reads no data.`,
        });
        Validations.of(cfnRoute).acknowledge({
          id: 'AwsSolutions::AwsSolutions-COG4',
          reason: `${route.method} ${route.path} is public by design in the shared route table (crates/core/src/routes.rs): a liveness check that reads no data needs no Cognito authorizer either.`,
        });
      } else if (httpRoute) {
        Validations.of(httpRoute.node.defaultChild as CfnRoute).acknowledge({
          id: 'AwsSolutions::AwsSolutions-COG4',
          reason:
            'The route uses the auth-middleware Lambda authorizer, which verifies the Cognito ID token itself (RS256 against the pool\'s JWKS, issuer, app client id, token_use, expiry) and hands role, tenant (custom:tenant_id; a token without it is refused unless the deployment is single-tenant, which supplies its default tenant) and user id to the function as context; a JWT authorizer cannot apply that rule nor record the login.',
        });
      }
    }

    this.originDomainName = `${this.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    new CfnOutput(this, 'ApiEndpoint', { key: 'ApiEndpoint', value: this.httpApi.apiEndpoint, description: 'Direct API endpoint (the console uses /api on the distribution)' });
    new CfnOutput(this, 'ConsoleClientId', { key: 'ConsoleClientId', value: this.consoleClient.userPoolClientId, description: 'Cognito app client of the console' });
  }
}
