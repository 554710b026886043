// Why this exists: the console and the API share one origin, as DESIGN §7 requires — one
// CloudFront distribution sends `/api/*` to the HTTP API (uncached, every viewer header but Host
// forwarded, so the Authorization header reaches the authorizer) and everything else to a private
// S3 bucket reachable only through CloudFront (origin access control), with client-side routes
// falling back to index.html. Access logs of both land in a log bucket; a WAF web ACL sits in
// front where the environment asks for one. With a custom domain the distribution answers on it
// with its ACM certificate (TLS 1.2 at least) and, given the hosted zone, gets its DNS alias
// records; the console and `/api` then share that origin, as they share CloudFront's otherwise.
// A preview's buckets empty themselves when its stack is destroyed.

import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { AaaaRecord, ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { CloudFrontTarget } from 'aws-cdk-lib/aws-route53-targets';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { join } from 'node:path';
import type { CustomDomain } from '../config';

/** Where the SPA fallback function's code lives (tested on its own in test/spa-fallback.test.ts). */
export const SPA_FALLBACK_CODE = join(__dirname, '..', 'hosting', 'spa-fallback.js');

/** Requests one client IP may make in five minutes before the WAF blocks it. */
export const WAF_REQUESTS_PER_5_MINUTES_PER_IP = 3000;

/** How long access logs are kept. */
export const ACCESS_LOG_RETENTION = Duration.days(90);

export interface HostingProps {
  readonly environment: string;
  readonly resourcePrefix: string;
  /** `abc123.execute-api.us-east-1.amazonaws.com`. */
  readonly apiOriginDomainName: string;
  readonly webApplicationFirewall: boolean;
  /** The console's own domain, or null for the distribution's `*.cloudfront.net` address. */
  readonly domain: CustomDomain | null;
  /** Production: the buckets outlive the stack. */
  readonly production: boolean;
  /**
   * A preview: `cdk destroy` takes everything down, so the buckets are emptied first (a custom
   * resource of aws-cdk-lib deletes their objects when the stack is deleted).
   */
  readonly disposable: boolean;
}

/** The viewer TLS policy with a custom domain (CloudFront's default certificate allows no choice). */
export const VIEWER_TLS_POLICY = SecurityPolicyProtocol.TLS_V1_2_2021;

export class Hosting extends Construct {
  readonly spaBucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly webAcl?: CfnWebACL;
  /** `https://<domain>` or `https://<id>.cloudfront.net`: the console, and `/api` below it. */
  readonly consoleUrl: string;

  constructor(scope: Construct, id: string, props: HostingProps) {
    super(scope, id);
    const removalPolicy = props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const autoDeleteObjects = props.disposable && !props.production;

    this.logBucket = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard logging writes through bucket ACLs.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: ACCESS_LOG_RETENTION }],
      removalPolicy,
      autoDeleteObjects,
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: 'This is the access-log bucket of the console bucket and of CloudFront; logging its own accesses into itself would loop, and into another bucket would only move the same finding there.',
    });

    this.spaBucket = new Bucket(this, 'Console', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // A bad release is rolled back by restoring the previous object versions.
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'console-bucket/',
      removalPolicy,
      autoDeleteObjects,
    });

    const spaFallback = new CloudFrontFunction(this, 'SpaFallback', {
      functionName: `${props.resourcePrefix}spa-fallback`,
      comment: 'Serves index.html for client-side routes of the console',
      code: FunctionCode.fromFile({ filePath: SPA_FALLBACK_CODE }),
      runtime: FunctionRuntime.JS_2_0,
    });

    if (props.webApplicationFirewall) {
      this.webAcl = this.createWebAcl(props);
    }

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `WECARE.DIGITAL ${props.environment}: console and /api`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      // PriceClass_200 includes the edge locations in India, where the business and its customers are.
      priceClass: PriceClass.PRICE_CLASS_200,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      webAclId: this.webAcl?.attrArn,
      ...(props.domain === null
        ? {}
        : {
            domainNames: [props.domain.name],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
            minimumProtocolVersion: VIEWER_TLS_POLICY,
          }),
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.spaBucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        compress: true,
        functionAssociations: [{ function: spaFallback, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/api/*': {
          origin: new HttpOrigin(props.apiOriginDomainName, {
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [OriginSslPolicy.TLS_V1_2],
          }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // API Gateway rejects a Host header that is not its own; everything else, including
          // Authorization and the query string, goes through.
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        },
      },
    });

    if (props.domain === null) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions::AwsSolutions-CFR4',
        reason: 'The distribution uses the default *.cloudfront.net certificate while the environment has no custom domain (domain in config/); CloudFront does not allow choosing the minimum viewer TLS version with the default certificate. With a domain, its ACM certificate and TLSv1.2_2021 are used.',
      });
    }
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions::AwsSolutions-CFR1',
      reason: 'Operators sign in from wherever they work; every API call is authenticated with a Cognito token and the bucket only serves the static console bundle, so a country block would add no protection.',
    });
    if (!props.webApplicationFirewall) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions::AwsSolutions-CFR2',
        reason: `The ${props.environment} environment runs in DRY_RUN for short-lived review and is configured without the web ACL to save its cost; staging and production attach it (webApplicationFirewall in config/).`,
      });
    }

    const zone = props.domain?.hostedZone;
    if (props.domain !== null && zone !== undefined) {
      const hostedZone = HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: zone.id, zoneName: zone.name });
      const target = RecordTarget.fromAlias(new CloudFrontTarget(this.distribution));
      // The distribution answers on IPv6 too (CloudFront's default), so both records.
      new ARecord(this, 'AliasA', { zone: hostedZone, recordName: props.domain.name, target });
      new AaaaRecord(this, 'AliasAaaa', { zone: hostedZone, recordName: props.domain.name, target });
    }

    this.consoleUrl = `https://${props.domain?.name ?? this.distribution.distributionDomainName}`;
    // Fixed keys, so scripts/deploy.sh finds them in `cdk deploy --outputs-file`.
    new CfnOutput(this, 'ConsoleUrl', { key: 'ConsoleUrl', value: this.consoleUrl, description: 'The console; the API is <ConsoleUrl>/api' });
    new CfnOutput(this, 'ConsoleDnsTarget', {
      key: 'ConsoleDnsTarget',
      value: this.distribution.distributionDomainName,
      description: props.domain !== null && zone === undefined ? `Point ${props.domain.name} here with a CNAME record` : 'The distribution\'s own host name',
    });
    new CfnOutput(this, 'DistributionId', { key: 'DistributionId', value: this.distribution.distributionId });
    new CfnOutput(this, 'ConsoleBucketName', { key: 'ConsoleBucketName', value: this.spaBucket.bucketName });
  }

  private createWebAcl(props: HostingProps): CfnWebACL {
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName: `${props.resourcePrefix}${metricName}`,
      sampledRequestsEnabled: true,
    });
    const managed = (name: string, priority: number, ruleActionOverrides?: CfnWebACL.RuleActionOverrideProperty[]): CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
      visibilityConfig: visibility(name),
    });
    return new CfnWebACL(this, 'WebAcl', {
      name: `${props.resourcePrefix}console`,
      description: 'Protects the console and the API of WECARE.DIGITAL',
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('web-acl'),
      rules: [
        managed('AWSManagedRulesAmazonIpReputationList', 0),
        // Counted, not blocked: bulk jobs post recipient lists larger than the set's 8 KB body
        // limit, and operators legitimately send HTML e-mail bodies, which the XSS body rule
        // would take for an attack; the API acts on a body only after the authorizer accepted the caller.
        managed('AWSManagedRulesCommonRuleSet', 1, [
          { name: 'SizeRestrictions_BODY', actionToUse: { count: {} } },
          { name: 'CrossSiteScripting_BODY', actionToUse: { count: {} } },
        ]),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 2),
        {
          name: 'rate-limit-per-ip',
          priority: 3,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: WAF_REQUESTS_PER_5_MINUTES_PER_IP, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('rate-limit-per-ip'),
        },
      ],
    });
  }
}
