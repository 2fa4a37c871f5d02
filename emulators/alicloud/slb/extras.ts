// SLB side resources: server certificates, HTTPS domain extensions, ACLs (read-only) and backend
// health (always "normal": the emulator has no data plane to probe).
import { ApiError, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { pageOf } from '../params.js';
import { renderTags } from '../tags.js';
import type { Ctx, HandlerTable, ResponseBody } from '../context.js';
import type { ServerCertificate } from '../state.js';
import { findListener, getLb } from './lookup.js';

const renderCert = (ctx: Ctx, c: ServerCertificate): ResponseBody => ({
  ServerCertificateId: c.ServerCertificateId,
  ServerCertificateName: c.ServerCertificateName,
  Fingerprint: c.Fingerprint,
  CommonName: c.CommonName,
  ExpireTime: c.ExpireTime,
  ExpireTimeStamp: c.ExpireTimeStamp,
  CreateTime: c.CreateTime,
  CreateTimeStamp: c.CreateTimeStamp,
  RegionId: ctx.state.regionId,
  RegionIdAlias: ctx.state.regionId,
  IsAliCloudCertificate: 0,
  SubjectAlternativeNames: { SubjectAlternativeName: [c.CommonName] },
  Tags: renderTags(c.Tags),
});

function describeServerCertificates(ctx: Ctx): ResponseBody {
  const id = ctx.p.str('ServerCertificateId');
  const ids = id?.split(',').map((s) => s.trim());
  const certs = Object.values(ctx.state.serverCertificates).filter(
    (c) => !ids || ids.includes(c.ServerCertificateId),
  );
  return { ServerCertificates: { ServerCertificate: certs.map((c) => renderCert(ctx, c)) } };
}

function certificate(ctx: Ctx, id: string): ServerCertificate {
  const c = ctx.state.serverCertificates[id];
  if (!c)
    throw new ApiError(
      400,
      'ServerCertificateId.NotFound',
      `The specified ServerCertificateId ${id} does not exist.`,
    );
  return c;
}

function createDomainExtension(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  const port = ctx.p.reqInt('ListenerPort');
  const l = findListener(lb, port, 'https');
  if (!l)
    throw new ApiError(400, 'InvalidParameter', `No HTTPS listener on port ${port} of ${lb.LoadBalancerId}.`);
  const domain = ctx.p.req('Domain');
  const certId = ctx.p.str('ServerCertificateId') ?? ctx.p.structs('ServerCertificate')[0]?.CertificateId;
  if (!certId)
    throw new ApiError(
      400,
      'MissingParameter',
      'The input parameter "ServerCertificateId" that is mandatory for processing this request is not supplied.',
    );
  certificate(ctx, certId);
  if (
    Object.values(ctx.state.domainExtensions).some(
      (d) => d.LoadBalancerId === lb.LoadBalancerId && d.ListenerPort === port && d.Domain === domain,
    )
  ) {
    throw new ApiError(
      400,
      'DomainExtensionAlreadyExists',
      `Domain ${domain} already has an extension on port ${port}.`,
    );
  }
  const id = newId('de');
  ctx.state.domainExtensions[id] = {
    DomainExtensionId: id,
    LoadBalancerId: lb.LoadBalancerId,
    ListenerPort: port,
    Domain: domain,
    ServerCertificateId: certId,
  };
  return { DomainExtensionId: id, ListenerPort: port };
}

function domainExtension(ctx: Ctx) {
  const id = ctx.p.req('DomainExtensionId');
  const d = ctx.state.domainExtensions[id];
  if (!d) throw notFound('InvalidParameter.DomainExtensionId', 'DomainExtensionId', id);
  return d;
}

function deleteDomainExtension(ctx: Ctx): ResponseBody {
  delete ctx.state.domainExtensions[domainExtension(ctx).DomainExtensionId];
  return {};
}

function setDomainExtensionAttribute(ctx: Ctx): ResponseBody {
  const d = domainExtension(ctx);
  const certId = ctx.p.str('ServerCertificateId') ?? ctx.p.structs('ServerCertificate')[0]?.CertificateId;
  if (!certId)
    throw new ApiError(
      400,
      'MissingParameter',
      'The input parameter "ServerCertificateId" that is mandatory for processing this request is not supplied.',
    );
  certificate(ctx, certId);
  d.ServerCertificateId = certId;
  return {};
}

function describeDomainExtensions(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  const port = ctx.p.int('ListenerPort');
  const id = ctx.p.str('DomainExtensionId');
  const list = Object.values(ctx.state.domainExtensions).filter(
    (d) =>
      d.LoadBalancerId === lb.LoadBalancerId &&
      (port === undefined || d.ListenerPort === port) &&
      (!id || d.DomainExtensionId === id),
  );
  return {
    DomainExtensions: {
      DomainExtension: list.map((d) => ({
        DomainExtensionId: d.DomainExtensionId,
        Domain: d.Domain,
        ServerCertificateId: d.ServerCertificateId,
      })),
    },
  };
}

function describeAccessControlLists(ctx: Ctx): ResponseBody {
  const name = ctx.p.str('AclName');
  const all = Object.values(ctx.state.acls).filter((a) => !name || a.AclName === name);
  const page = pageOf(all, ctx.p, { max: 50, def: 10 });
  return {
    Acls: {
      Acl: page.items.map((a) => ({
        AclId: a.AclId,
        AclName: a.AclName,
        AddressIPVersion: a.AddressIPVersion,
        CreateTime: a.CreateTime,
        Tags: renderTags(a.Tags),
      })),
    },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
    Count: page.items.length,
  };
}

function describeAccessControlListAttribute(ctx: Ctx): ResponseBody {
  const id = ctx.p.req('AclId');
  const a = ctx.state.acls[id];
  if (!a) throw notFound('Acl.NotFound', 'AclId', id);
  const related = Object.values(ctx.state.loadBalancers).flatMap((lb) =>
    lb.Listeners.filter((l) => l.Attributes.AclId === id).map((l) => ({
      LoadBalancerId: lb.LoadBalancerId,
      ListenerPort: l.ListenerPort,
      Protocol: l.ListenerProtocol,
      AclType: l.Attributes.AclType ?? '',
    })),
  );
  return {
    AclId: a.AclId,
    AclName: a.AclName,
    AddressIPVersion: a.AddressIPVersion,
    CreateTime: a.CreateTime,
    TotalAclEntry: a.Entries.length,
    AclEntrys: { AclEntry: a.Entries },
    RelatedListeners: { RelatedListener: related },
    Tags: renderTags(a.Tags),
  };
}

function describeHealthStatus(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  const port = ctx.p.int('ListenerPort');
  const protocol = ctx.p.str('ListenerProtocol')?.toLowerCase();
  const rows = lb.Listeners.filter(
    (l) => (port === undefined || l.ListenerPort === port) && (!protocol || l.ListenerProtocol === protocol),
  ).flatMap((l) => {
    const g = l.Attributes.VServerGroupId
      ? ctx.state.vserverGroups[String(l.Attributes.VServerGroupId)]
      : undefined;
    const servers = g
      ? g.BackendServers
      : lb.BackendServers.map((b) => ({ ...b, Port: Number(l.Attributes.BackendServerPort ?? 0) }));
    return servers.map((b) => ({
      ServerId: b.ServerId,
      ServerIp: b.ServerIp,
      Port: b.Port,
      ListenerPort: l.ListenerPort,
      Protocol: l.ListenerProtocol,
      ServerHealthStatus: l.Status === 'running' && b.Weight > 0 ? 'normal' : 'unavailable',
      Type: b.Type,
      Weight: b.Weight,
    }));
  });
  return { BackendServers: { BackendServer: rows } };
}

export const slbExtraHandlers: HandlerTable = {
  DescribeServerCertificates: describeServerCertificates,
  CreateDomainExtension: createDomainExtension,
  DeleteDomainExtension: deleteDomainExtension,
  SetDomainExtensionAttribute: setDomainExtensionAttribute,
  DescribeDomainExtensions: describeDomainExtensions,
  DescribeAccessControlLists: describeAccessControlLists,
  DescribeAccessControlListAttribute: describeAccessControlListAttribute,
  DescribeHealthStatus: describeHealthStatus,
};
