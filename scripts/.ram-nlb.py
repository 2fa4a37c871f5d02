import json,sys
p='deploy/ram/controller-manager.json'; d=json.load(open(p))
missing=[a.strip() for a in sys.stdin.read().split() if a.strip()]
def stmt(pred):
    for s in d['Statement']:
        if pred(s): return s
read=stmt(lambda s: 'Condition' not in s and any(a.startswith('nlb:Get') for a in s['Action']))
create=stmt(lambda s: 'acs:RequestTag/ack.aliyun.com' in json.dumps(s.get('Condition',{})))
write=stmt(lambda s: 'acs:ResourceTag/ack.aliyun.com' in json.dumps(s.get('Condition',{})))
for a in missing:
    name=a.split(':')[1]
    tgt = read if name.startswith(('List','Get','Describe')) else create if name.startswith('Create') and name in ('CreateServerGroup',) else write
    if a not in tgt['Action']: tgt['Action'].append(a)
for s in d['Statement']: s['Action'].sort()
open(p,'w').write(json.dumps(d,indent=2)+'\n')
