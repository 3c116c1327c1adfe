"""Prints the Pillow reference hashes hard-coded in ResizeTest (run once by hand; needs Pillow 9.4, numpy).

The pattern functions mirror TestPatterns.java exactly (32-bit integer arithmetic)."""
import hashlib

import numpy as np
from PIL import Image
M=0xFFFFFFFF
def hsh(c,y,x):
    h=((x*73856093)&M) ^ ((y*19349663)&M) ^ ((c*83492791)&M)
    h^= h>>13; h=(h*0x5bd1e995)&M; h^= h>>15
    return h
def pattern_u8(c,h,w):
    a=np.zeros((h,w,c),np.uint8)
    for ch in range(c):
        for y in range(h):
            for x in range(w):
                hh=hsh(ch,y,x); noise=(hh>>24)&0xFF
                if (x//4+y//4)%5==0:
                    u=255 if noise>127 else 0
                else:
                    base=(x*255//max(1,w-1)+y*255//max(1,h-1))//2
                    u=(base*3+noise)//4
                a[y,x,ch]=u
    return a
def pattern_f(c,h,w):
    a=np.zeros((c,h,w),np.float32)
    for ch in range(c):
        for y in range(h):
            for x in range(w):
                hh=hsh(ch,y,x)
                a[ch,y,x]=np.float32((hh%2041)-1020)/np.float32(1000)
    return a
def sha(b): return hashlib.sha256(b).hexdigest()
cases=[(3,37,23,50,31),(3,50,31,33,25),(3,248,186,186,139),(1,37,23,50,31),(3,7,5,11,9),(3,11,9,7,5),(3,40,30,40,17),(3,40,30,13,30),(1,5,4,1,1),(3,3,2,200,1)]
res={}
for (c,w,h,nw,nh) in cases:
    u=pattern_u8(c,h,w)
    im=Image.fromarray(u.squeeze(2) if c==1 else u, 'L' if c==1 else 'RGB')
    r=np.asarray(im.resize((nw,nh),Image.BICUBIC))
    r=r.reshape(nh,nw,c)
    f=pattern_f(c,h,w)
    # PatchGenCN pipeline: np2img -> PIL bicubic -> img2arr
    hwc=np.transpose(f,(1,2,0))
    arr=(hwc+1.0)*127.5
    arr=np.clip(arr,0,255.0).squeeze().astype(np.uint8)
    p=np.array(Image.fromarray(arr).resize((nw,nh),Image.BICUBIC),dtype=np.float32)
    p=(p-127.5)/127.5
    p=p.reshape(nh,nw,c).transpose(2,0,1).astype('<f4')
    fl=np.stack([np.asarray(Image.fromarray(f[ch],'F').resize((nw,nh),Image.BICUBIC)) for ch in range(c)]).astype('<f4')
    key=f"{c}_{w}x{h}_{nw}x{nh}"
    res[key]=dict(u8=sha(np.ascontiguousarray(r).tobytes()),pipe=sha(p.tobytes()),flt=sha(fl.tobytes()))
    print(key,res[key])
